import type pg from "pg";

import { probeOnce } from "./probe-once.ts";

/**
 * `session_replication_role = replica` turns off, for as long as it is set,
 * every trigger that is not ENABLE ALWAYS, foreign-key checks among them;
 * unique, NOT NULL and CHECK constraints still hold. A statement that checks
 * what those triggers would have checked once for all its rows, rather than
 * once per row, can set it for its own transaction and skip the per-row work
 * (key import: docs/performance.md, "Import").
 *
 * Only a superuser (the embedded database's owner) may set it, or, from
 * PostgreSQL 15, a role granted `SET ON PARAMETER session_replication_role`.
 * `replicaRoleAvailable` asks once per pool whether this role may; before
 * PostgreSQL 15 the question itself does not exist, and the answer is no.
 */
const PROBE = "SELECT has_parameter_privilege('session_replication_role', 'SET') AS allowed";

const answers = new WeakMap<pg.Pool, Promise<boolean>>();

/** PostgreSQL's undefined_function: has_parameter_privilege came with PostgreSQL 15. */
const UNDEFINED_FUNCTION = "42883";

/** Whether this pool's role may set `session_replication_role` (see above); asked once per pool. */
export function replicaRoleAvailable(pool: pg.Pool): Promise<boolean> {
  return probeOnce(answers, pool, (asked) =>
    asked.query<{ allowed: boolean }>(PROBE).then(
      ({ rows: [row] }) => row?.allowed === true,
      (error: unknown) => {
        if ((error as { code?: unknown } | null)?.code === UNDEFINED_FUNCTION) return false;
        throw error;
      },
    ),
  );
}
