import { type PoolClient } from "pg";

import { getPool } from "./pool.ts";

/**
 * Runs `work` in one transaction on a connection of the raw pool: COMMIT
 * when it returns, ROLLBACK when it throws (the error is passed on). A
 * connection whose ROLLBACK failed is closed rather than handed to the next
 * caller, which would otherwise find itself inside a broken transaction.
 */
export async function inPoolTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await getPool().connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch((failed: unknown) => {
      broken = failed instanceof Error ? failed : new Error(String(failed));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

export type { PoolClient };
