import type pg from "pg";

/**
 * `session_replication_role = replica` turns off, for as long as it is set,
 * every trigger that is not ENABLE ALWAYS, foreign-key checks among them;
 * unique, NOT NULL and CHECK constraints still hold. A statement that checks
 * what those triggers would have checked once for all its rows, rather than
 * once per row, can set it for its own transaction and skip the per-row work
 * (key import: docs/performance.md, "Import").
 *
 * Who may set it differs by server and host: a superuser; from PostgreSQL 15
 * a role granted `SET ON PARAMETER session_replication_role`; on managed
 * databases, whatever their extensions allow. No catalog question covers all
 * of them, so callers try: a statement that sets it and is refused fails with
 * `insufficient_privilege` before it has changed anything, and the caller
 * then notes the refusal for the pool and sends its statement that needs no
 * right, as every later call does. A right granted later is seen when the
 * process restarts; one revoked is seen on the next refusal.
 *
 * Setting it also empties that connection's cache of query plans (PostgreSQL
 * does so on every change of the role, and again when the transaction ends
 * and it changes back): each statement prepared on that connection is
 * planned again on its next use there.
 */
const refused = new WeakSet<pg.Pool>();

/** PostgreSQL's insufficient_privilege, which setting the role without the right fails with. */
const INSUFFICIENT_PRIVILEGE = "42501";

/** Whether an earlier statement on this pool was refused the role (see above): callers then send the statement that needs no right. */
export function replicaRoleRefused(pool: pg.Pool): boolean {
  return refused.has(pool);
}

/**
 * Whether `error` is a statement's refusal for want of a right, which for a
 * statement setting the role is most likely that right; if not, the statement
 * without it fails again with the real reason.
 */
export function isReplicaRoleRefusal(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === INSUFFICIENT_PRIVILEGE;
}

/** Notes that this pool's role may not set `session_replication_role`, until the process restarts. */
export function noteReplicaRoleRefused(pool: pg.Pool): void {
  refused.add(pool);
}
