-- A new key is still NOTIFYd (an instance may hold "not found" for its hash),
-- but once per INSERT statement rather than once per row: an import writes up
-- to 1,000 keys in one statement, and a PL/pgSQL call per row was about a
-- sixth of its time with a million keys in the table (`pnpm bench`). A single
-- creation sends the same one notification as before.

CREATE FUNCTION keysmith_api_keys_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM keysmith_notify_key(key_hash) FROM inserted;
  RETURN NULL;
END
$$;

DROP TRIGGER api_keys_changed ON api_keys;

-- as before (key_change_triggers), less INSERT
CREATE TRIGGER api_keys_changed
  AFTER DELETE OR UPDATE OF key_hash, user_id, name, scopes, expires_at, revoked_at, rate_limit_per_minute ON api_keys
  FOR EACH ROW EXECUTE FUNCTION keysmith_api_keys_changed();

CREATE TRIGGER api_keys_inserted
  AFTER INSERT ON api_keys
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION keysmith_api_keys_inserted();
