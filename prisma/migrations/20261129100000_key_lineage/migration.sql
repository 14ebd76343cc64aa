-- A rolled key's successor points at the key it replaced, so a key's page can
-- show its lineage both ways. Deleting the old key leaves the successor
-- standing (the link becomes null). Not in the change trigger's column list:
-- the link does not change what verifying either key answers.
ALTER TABLE "api_keys" ADD COLUMN "replaces_id" INTEGER;
CREATE UNIQUE INDEX "api_keys_replaces_id_key" ON "api_keys"("replaces_id");
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_replaces_id_fkey" FOREIGN KEY ("replaces_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;

