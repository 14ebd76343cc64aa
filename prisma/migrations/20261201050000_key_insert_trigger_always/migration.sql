-- New keys' notifications fire even where triggers are otherwise off
-- (session_replication_role = replica). Key import sets that role for its own
-- transaction, when the database lets it, so that PostgreSQL does not check
-- the owner's foreign key once per key: it locks the owner's row once, as
-- each of those checks would have, and inserts rows that all name that owner
-- and no rolled key. The notification that instances must forget any answer
-- they hold for a new hash must still be sent; every other trigger an INSERT
-- into api_keys or audit_events fires is a foreign-key check.
ALTER TABLE api_keys ENABLE ALWAYS TRIGGER api_keys_inserted;
