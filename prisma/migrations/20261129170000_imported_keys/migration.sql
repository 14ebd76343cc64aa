-- Keys imported from another system (POST /api-keys/import, apiKeys.import)
-- that are not in Keysmith's format: their plaintext was not an `ak_` key
-- with a valid checksum, or only their SHA-256 was imported. Verification
-- finds a value that fails the format check among these rows only, and such
-- a row never authenticates a caller of Keysmith's own API (Bearer). Set once,
-- at import; native and imported `ak_` keys keep the default.
-- ("foreign" is a reserved word in SQL: it is always quoted.)
ALTER TABLE "api_keys" ADD COLUMN "foreign" BOOLEAN NOT NULL DEFAULT false;
