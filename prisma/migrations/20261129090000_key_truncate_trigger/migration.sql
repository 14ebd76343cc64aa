-- TRUNCATE fires no row triggers, so the key-change triggers cannot name the
-- keys it removes: it announces "*" instead, and every instance empties its
-- whole key cache (see packages/auth/src/verify/key-events.ts).

CREATE FUNCTION keysmith_keys_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('keysmith_api_keys', '*');
  RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_truncated AFTER TRUNCATE ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION keysmith_keys_truncated();
CREATE TRIGGER users_truncated AFTER TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION keysmith_keys_truncated();
