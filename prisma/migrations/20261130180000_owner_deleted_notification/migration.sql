-- Verification caches key owners by id (packages/auth/src/verify/owner-cache.ts),
-- dropped on "u:" and the owner's id, which users_changed sends for an update.
-- A deleted owner's keys go with them (the cascade NOTIFYs each key's hash),
-- but their cached row would stay until its TTL, and would be handed to the
-- keys of a new user given the same id (an explicit INSERT, a restore that
-- resets the sequence). So a deletion says "u:" too; so does an update of the
-- id itself, which users_changed does not watch.

CREATE FUNCTION keysmith_owner_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('keysmith_api_keys', 'u:' || OLD.id);
  RETURN NULL;
END
$$;

CREATE TRIGGER users_deleted AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION keysmith_owner_gone();
CREATE TRIGGER users_renumbered AFTER UPDATE OF id ON users FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION keysmith_owner_gone();
