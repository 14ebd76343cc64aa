-- Every change that alters what verifying a key answers NOTIFYs the key's
-- hash on keysmith_api_keys, from the database itself: so a key revoked,
-- deleted (also by deleting its user) or whose owner is deactivated by any
-- means, the app or an operator's SQL, leaves every instance's cache at
-- commit. The payload is the hash in unpadded base64url, as the app's caches
-- key it. PostgreSQL folds identical notifications within one transaction.

CREATE FUNCTION keysmith_notify_key(hash bytea) RETURNS void LANGUAGE sql AS $$
  SELECT pg_notify('keysmith_api_keys', translate(rtrim(encode(hash, 'base64'), '='), '+/', '-_'))
$$;

CREATE FUNCTION keysmith_api_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
    PERFORM keysmith_notify_key(NEW.key_hash);
  END IF;
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.key_hash IS DISTINCT FROM NEW.key_hash) THEN
    PERFORM keysmith_notify_key(OLD.key_hash);
  END IF;
  RETURN NULL;
END
$$;

-- not last_used_at or rolled_at: those do not change a verification's answer,
-- and the once-a-minute last-used write must not empty the caches
CREATE TRIGGER api_keys_changed
  AFTER INSERT OR DELETE OR UPDATE OF key_hash, user_id, name, scopes, expires_at, revoked_at, rate_limit_per_minute ON api_keys
  FOR EACH ROW EXECUTE FUNCTION keysmith_api_keys_changed();

CREATE FUNCTION keysmith_owner_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM keysmith_notify_key(k.key_hash) FROM api_keys k WHERE k.user_id = NEW.id;
  RETURN NULL;
END
$$;

-- verification caches the owner with the key: a deactivated owner's keys stop at once
CREATE TRIGGER users_changed
  AFTER UPDATE OF is_active, username, email, name, is_staff ON users
  FOR EACH ROW
  WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active OR OLD.username IS DISTINCT FROM NEW.username
        OR OLD.email IS DISTINCT FROM NEW.email OR OLD.name IS DISTINCT FROM NEW.name OR OLD.is_staff IS DISTINCT FROM NEW.is_staff)
  EXECUTE FUNCTION keysmith_owner_changed();
