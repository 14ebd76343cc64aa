-- The failed-login throttle, shared by every instance (packages/auth/src/login-throttle.ts).
-- Every time is the caller's clock (never now()), in UTC, like every timestamp column.

CREATE TABLE "login_failures" (
    "id" BIGSERIAL NOT NULL,
    "account" VARCHAR(300) NOT NULL,
    "address" VARCHAR(64) NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "pending" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "login_failures_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "login_failures_address_at_idx" ON "login_failures"("address", "at");
CREATE INDEX "login_failures_account_at_idx" ON "login_failures"("account", "at");
-- for the sweep of failures that left the window
CREATE INDEX "login_failures_at_idx" ON "login_failures"("at");

CREATE TABLE "login_successes" (
    "account" VARCHAR(300) NOT NULL,
    "address" VARCHAR(64) NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "login_successes_pkey" PRIMARY KEY ("account","address")
);

CREATE INDEX "login_successes_at_idx" ON "login_successes"("at");

CREATE TABLE "login_slow_turns" (
    "account" VARCHAR(300) NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "login_slow_turns_pkey" PRIMARY KEY ("account")
);

CREATE INDEX "login_slow_turns_at_idx" ON "login_slow_turns"("at");
