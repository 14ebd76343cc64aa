-- Sessions and access tokens are cached like keys (packages/auth/src/session-cache.ts)
-- and invalidated on the same channel: a session's payload is "s:" and its
-- id, a user's "u:" and the user's id (":" is never in a key's base64url hash).
-- A logout (DELETE), an expiry brought forward, or a change of owner, kind or
-- secret reaches every instance at commit. A renewal only moves expires_at
-- later and notifies no one: instances that cached the old expiry read the
-- row again once it has passed.

CREATE FUNCTION keysmith_sessions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('keysmith_api_keys', 's:' || OLD.id);
  RETURN NULL;
END
$$;

CREATE TRIGGER sessions_changed
  AFTER DELETE OR UPDATE OF id, user_id, secret_hash, kind ON sessions
  FOR EACH ROW EXECUTE FUNCTION keysmith_sessions_changed();

CREATE TRIGGER sessions_shortened
  AFTER UPDATE OF expires_at ON sessions
  FOR EACH ROW WHEN (NEW.expires_at < OLD.expires_at) EXECUTE FUNCTION keysmith_sessions_changed();

CREATE TRIGGER sessions_truncated AFTER TRUNCATE ON sessions FOR EACH STATEMENT EXECUTE FUNCTION keysmith_keys_truncated();

-- an owner's change (deactivation, a new name) reaches the sessions cached with the owner too
CREATE OR REPLACE FUNCTION keysmith_owner_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM keysmith_notify_key(k.key_hash) FROM api_keys k WHERE k.user_id = NEW.id;
  PERFORM pg_notify('keysmith_api_keys', 'u:' || NEW.id);
  RETURN NULL;
END
$$;
