-- A key found in public (GitHub secret scanning) or reported by anyone is
-- revoked, and why is kept beside it: the owner's list, key page and banner
-- show where it was found until they acknowledge it.
ALTER TABLE "api_keys"
  ADD COLUMN "leaked_at" TIMESTAMP(3),
  ADD COLUMN "leak_source" VARCHAR(8),
  ADD COLUMN "leak_location" VARCHAR(64),
  ADD COLUMN "leak_url" VARCHAR(2048),
  ADD COLUMN "leak_acknowledged_at" TIMESTAMP(3),
  ADD CONSTRAINT "api_keys_leak_source" CHECK ("leak_source" IN ('github', 'report')),
  ADD CONSTRAINT "api_keys_leak_recorded" CHECK (("leaked_at" IS NULL) = ("leak_source" IS NULL));

