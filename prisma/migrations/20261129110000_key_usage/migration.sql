-- Verifications of each key, counted per minute and outcome. Instances count
-- in memory and add their counts here in one batched upsert every few
-- seconds, so several instances' counts add up and a verification never
-- waits for a write. A key's counts go with the key.
CREATE TABLE "key_usage_minutes" (
    "key_id" INTEGER NOT NULL,
    "minute" TIMESTAMP(3) NOT NULL,
    "outcome" TEXT NOT NULL,
    "count" BIGINT NOT NULL,

    CONSTRAINT "key_usage_minutes_pkey" PRIMARY KEY ("key_id","minute","outcome")
);

ALTER TABLE "key_usage_minutes" ADD CONSTRAINT "key_usage_minutes_key_id_fkey" FOREIGN KEY ("key_id") REFERENCES "api_keys"("id") ON DELETE CASCADE ON UPDATE CASCADE;
