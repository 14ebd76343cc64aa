-- Hourly verification counts: minute counts older than the minute retention
-- are moved here (summed), so long periods stay small to keep and to read.
-- A key's counts go with the key.
CREATE TABLE "key_usage_hours" (
    "key_id" INTEGER NOT NULL,
    "hour" TIMESTAMP(3) NOT NULL,
    "outcome" TEXT NOT NULL,
    "count" BIGINT NOT NULL,

    CONSTRAINT "key_usage_hours_pkey" PRIMARY KEY ("key_id","hour","outcome")
);

ALTER TABLE "key_usage_hours" ADD CONSTRAINT "key_usage_hours_key_id_fkey" FOREIGN KEY ("key_id") REFERENCES "api_keys"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The rollup and the retention sweep look for the oldest minutes of every key.
CREATE INDEX "key_usage_minutes_minute_idx" ON "key_usage_minutes"("minute");
CREATE INDEX "key_usage_hours_hour_idx" ON "key_usage_hours"("hour");

-- What happened to keys and accounts, who did it and from where: never a
-- secret or a request body. The key is named by id and by its name at the
-- time, with no foreign key, so a deleted key's history stays readable. An
-- event belongs to the account it concerns (user_id); a failed login for a
-- name that matches no account has none and is for operators only.
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "user_id" INTEGER,
    "event" TEXT NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor_key_id" INTEGER,
    "key_id" INTEGER,
    "key_name" TEXT,
    "client_address" TEXT,
    "user_agent" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- an owner's log, newest first; one key's events; the retention sweep
CREATE INDEX "audit_events_user_id_id_idx" ON "audit_events"("user_id", "id" DESC);
CREATE INDEX "audit_events_user_id_key_id_id_idx" ON "audit_events"("user_id", "key_id", "id" DESC);
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at");
