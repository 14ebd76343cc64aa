import type pg from "pg";

/**
 * Durable commits without the NOTIFY queue's lock held across a disk flush.
 *
 * A transaction that NOTIFYs takes a database-wide lock just before it
 * commits and keeps it until the commit is over, which with
 * `synchronous_commit = on` includes waiting for the WAL flush: such commits
 * go one at a time, one flush each, and creating keys ran at one divided by
 * the disk's flush latency (622–1,300 a second here, see docs/performance.md).
 *
 * The way out keeps every key in one transaction with its NOTIFY: the
 * transaction commits asynchronously (the lock is released as soon as the
 * commit record is written), and the caller is answered only after
 * `flushWal` has made the WAL durable up to a point past that commit record.
 * Until the answer, nobody holds the key's plaintext, so a crash between the
 * commit and the flush loses a key nobody was given (and its audit event with
 * it: they are one transaction). Concurrent creations' flushes are one disk
 * flush (PostgreSQL groups them), not one each in turn.
 *
 * `pg_logical_emit_message(false, …, true)` is what flushes on request: a
 * WAL record of no meaning to anyone but a logical decoder, written and
 * flushed at once, with no transaction. Its `flush` argument came with
 * PostgreSQL 17; a synchronous standby (`synchronous_standby_names`) would
 * also have to confirm a commit, which a local flush does not ask for, and
 * the role may lack the right to call it. So `walFlushAvailable` probes once
 * per pool (a standby configured later needs a restart of the app), and
 * where the answer is no, callers commit synchronously as before.
 *
 * Its callers: key creation, so that the NOTIFY lock is not held across a
 * flush, and spending a key's credits (@keysmith/auth), so that the key's
 * row lock is not either.
 */
const FLUSH = { name: "keysmith_flush_wal", text: "SELECT pg_logical_emit_message(false, 'keysmith', '', true)::text AS lsn" };

// to_regprocedure is null before PostgreSQL 17 (no such signature), and so is the privilege then
const PROBE = `SELECT current_setting('synchronous_standby_names') = '' AS no_standby,
                      coalesce(has_function_privilege(to_regprocedure('pg_logical_emit_message(boolean, text, text, boolean)'), 'execute'), false) AS allowed`;

const probes = new WeakMap<pg.Pool, Promise<boolean>>();

/** Whether `flushWal` works on this pool's database and is all a durable commit needs there (see above); asked once per pool. */
export function walFlushAvailable(pool: pg.Pool): Promise<boolean> {
  let probe = probes.get(pool);
  if (!probe) {
    probe = pool
      .query<{ no_standby: boolean; allowed: boolean }>(PROBE)
      .then(({ rows: [row] }) => Boolean(row?.no_standby && row.allowed))
      // asked again next time: a database that was down says nothing about what it can do
      .catch((error: unknown) => {
        probes.delete(pool);
        throw error;
      });
    probes.set(pool, probe);
  }
  return probe;
}

/**
 * A CTE that makes its statement's own transaction commit asynchronously
 * (`set_config(…, true)` lasts until that commit): put it in the statement's
 * WITH list and `commit_mode` in its final FROM, so that it is evaluated.
 * The statement's caller then owes a `flushWalOrRetry` before telling anyone
 * what it wrote.
 */
export const ASYNC_COMMIT_CTE = "commit_mode AS (SELECT set_config('synchronous_commit', 'off', true))";

/**
 * `flushWal`, sent once more if it fails (a connection lost, say): what it
 * follows is committed by then, and a caller told "failed" would do it again.
 */
export function flushWalOrRetry(pool: pg.Pool): Promise<string> {
  return flushWal(pool).catch(() => flushWal(pool));
}

/** Per pool: the flush statement under way, and the one that starts when it ends. */
interface Flushes {
  current?: Promise<void>;
  next?: Promise<string>;
}
const flushes = new WeakMap<pg.Pool, Flushes>();

/**
 * Makes everything this process has committed so far durable (the WAL flushed
 * past it), whichever connection committed it. A flush covers every commit
 * that ended before the statement was sent, so callers share them: while one
 * is under way (it may have been sent before the caller's commit), callers
 * wait for the next, one statement for all of them, instead of each sending
 * its own. Resolves with the WAL position flushed to (at least), as
 * PostgreSQL writes it ("0/1A2B3C4").
 */
export function flushWal(pool: pg.Pool): Promise<string> {
  let state = flushes.get(pool);
  if (!state) flushes.set(pool, (state = {}));
  const shared = state;
  if (!shared.current) {
    const sent = pool.query<{ lsn: string }>(FLUSH).then(({ rows }) => rows[0]?.lsn ?? "0/0");
    // settles either way and never rejects: the caller who sent the flush gets its failure
    const ended = () => {
      shared.current = undefined;
    };
    shared.current = sent.then(ended, ended);
    return sent;
  }
  shared.next ??= shared.current.then(() => {
    shared.next = undefined;
    return flushWal(pool);
  });
  return shared.next;
}
