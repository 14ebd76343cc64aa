import { getPool } from "@keysmith/db";

/**
 * Runs a statement that works on a bounded batch of rows (a `LIMIT` inside
 * it) again and again until it touches none, so a backlog of any size is
 * worked off in statements that each stay well inside the statement timeout.
 * Returns the rows touched in all.
 */
export async function untilNone(statement: string, values: unknown[]): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await getPool().query(statement, values);
    const count = result.rowCount ?? 0;
    total += count;
    if (count === 0) return total;
  }
}
