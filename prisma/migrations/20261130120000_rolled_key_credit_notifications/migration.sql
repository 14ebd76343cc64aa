-- During a roll's grace the old key spends its newest successor's credits, and
-- verification caches whether it has any (and its refill) from that key. So a
-- change to a successor's credits, or a successor deleted (the old key then
-- spends its own again), changes what verifying every key before it answers:
-- NOTIFY their hashes too, from the database, so the change reaches every
-- instance's cache by any path (the app, an operator's SQL), as every other
-- key change does (key_change_triggers). Only rows that replace a key pay the
-- walk back through replaces_id.

CREATE FUNCTION keysmith_notify_predecessors() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM keysmith_notify_key(k.key_hash)
     FROM (WITH RECURSIVE line(id) AS (
             SELECT CASE WHEN TG_OP = 'DELETE' THEN OLD.replaces_id ELSE NEW.replaces_id END
             UNION ALL
             SELECT k.replaces_id FROM api_keys k JOIN line ON k.id = line.id WHERE k.replaces_id IS NOT NULL
           ) SELECT id FROM line) AS line
     JOIN api_keys k ON k.id = line.id;
  RETURN NULL;
END
$$;

-- the same columns and condition as api_keys_credits_changed, for the key's predecessors
CREATE TRIGGER api_keys_successor_credits_changed
  AFTER UPDATE OF remaining, refill_amount, refill_interval ON api_keys
  FOR EACH ROW
  WHEN (NEW.replaces_id IS NOT NULL
        AND ((OLD.remaining IS NULL) IS DISTINCT FROM (NEW.remaining IS NULL)
             OR OLD.refill_amount IS DISTINCT FROM NEW.refill_amount
             OR OLD.refill_interval IS DISTINCT FROM NEW.refill_interval))
  EXECUTE FUNCTION keysmith_notify_predecessors();

CREATE TRIGGER api_keys_successor_deleted
  AFTER DELETE ON api_keys
  FOR EACH ROW
  WHEN (OLD.replaces_id IS NOT NULL)
  EXECUTE FUNCTION keysmith_notify_predecessors();
