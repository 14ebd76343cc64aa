-- Credits (usage limits): each VALID verification of a key with credits
-- spends its cost by one conditional UPDATE, so instances sharing the
-- database never over-spend. A refill resets the credits at the start of each
-- UTC day or month, applied by the first verification of the new period.
-- remaining is not among the columns whose change NOTIFYs (key_change_triggers):
-- spending must not empty every instance's cache. Whether a key has credits
-- at all does change what verification does, so that change notifies (below).
ALTER TABLE "api_keys" ADD COLUMN "remaining" INTEGER,
ADD COLUMN "refill_amount" INTEGER,
ADD COLUMN "refill_interval" VARCHAR(8),
ADD COLUMN "refilled_at" TIMESTAMP(3);

ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_remaining_check" CHECK ("remaining" >= 0);
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_refill_check" CHECK (
  ("refill_amount" IS NULL AND "refill_interval" IS NULL)
  OR ("refill_amount" > 0 AND "refill_interval" IN ('day', 'month') AND "remaining" IS NOT NULL));

CREATE TRIGGER api_keys_credits_changed
  AFTER UPDATE OF remaining, refill_amount, refill_interval ON api_keys
  FOR EACH ROW
  WHEN ((OLD.remaining IS NULL) IS DISTINCT FROM (NEW.remaining IS NULL)
        OR OLD.refill_amount IS DISTINCT FROM NEW.refill_amount
        OR OLD.refill_interval IS DISTINCT FROM NEW.refill_interval)
  EXECUTE FUNCTION keysmith_api_keys_changed();

-- Rate limits across instances: each instance decides locally and adds what
-- it admitted to its key's row for the window (a minute since the epoch),
-- reading back the total of every instance. Rows older than the previous
-- window are swept.
CREATE TABLE "rate_limit_windows" (
    "key_id" INTEGER NOT NULL,
    "window" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "rate_limit_windows_pkey" PRIMARY KEY ("key_id","window")
);

ALTER TABLE "rate_limit_windows" ADD CONSTRAINT "rate_limit_windows_key_id_fkey" FOREIGN KEY ("key_id") REFERENCES "api_keys"("id") ON DELETE CASCADE ON UPDATE CASCADE;
