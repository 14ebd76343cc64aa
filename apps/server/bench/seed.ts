import { apiKeyDisplayPrefix, generateApiKey, hashApiKey } from "@keysmith/auth";
import { type getPool } from "@keysmith/db";

type Pool = ReturnType<typeof getPool>;

/** Real keys (their plaintext kept for the benchmark), inserted in batches. */
export async function insertRealKeys(pool: Pool, userId: number, count: number, scopes = ["keys:read", "keys:write", "keys:verify"]): Promise<string[]> {
  const keys = Array.from({ length: count }, generateApiKey);
  for (let start = 0; start < keys.length; start += 1000) {
    const batch = keys.slice(start, start + 1000);
    await pool.query(
      `INSERT INTO api_keys (user_id, name, key_hash, prefix, scopes)
       SELECT $1, 'bench ' || n, h, p, $5::text[] FROM unnest($2::int[], $3::bytea[], $4::text[]) AS t(n, h, p)`,
      [userId, batch.map((_, i) => start + i), batch.map((key) => Buffer.from(hashApiKey(key))), batch.map(apiKeyDisplayPrefix), scopes],
    );
  }
  return keys;
}

/**
 * The fill's statements may take longer than Keysmith's 5 s statement
 * timeout, which the pool also enforces on the client's side (`query_timeout`):
 * on a slow machine a batch of 200,000 rows, or the VACUUM after a million,
 * ran past it ("Query read timeout") and ended the benchmark.
 */
const FILL_TIMEOUT_MS = 600_000;

/** A statement with the fill's read timeout: pg reads `query_timeout` from a query's own config (its types leave it out). */
function withFillTimeout(text: string, values: unknown[] = []) {
  const config = { text, values, query_timeout: FILL_TIMEOUT_MS };
  return config;
}

/**
 * Filler rows with random hashes (no plaintext), to grow the table to `total`.
 * Each batch runs without the statement timeouts (the server's and the client's) and without triggers
 * (session_replication_role = replica, as the embedded database's owner, and the new keys' notification,
 * which is ENABLE ALWAYS, disabled for the batch's own transaction):
 * a million key-change notifications would reach the servers being measured.
 */
export async function fillTo(pool: Pool, userId: number, total: number): Promise<void> {
  const { rows } = await pool.query<{ count: string }>("SELECT count(*) FROM api_keys");
  const have = Number(rows[0]?.count ?? 0);
  const step = 200_000;
  const client = await pool.connect();
  try {
    for (let done = have; done < total; done += step) {
      const n = Math.min(step, total - done);
      await client.query("BEGIN");
      await client.query("SET LOCAL statement_timeout = 0");
      await client.query("SET LOCAL session_replication_role = replica");
      // DDL is transactional: other sessions only ever see the trigger enabled, and wait for the batch meanwhile
      await client.query("ALTER TABLE api_keys DISABLE TRIGGER api_keys_inserted");
      await client.query(
        withFillTimeout(
          `INSERT INTO api_keys (user_id, name, key_hash, prefix, scopes)
           SELECT $1, 'filler', decode(md5(random()::text || g) || md5(g || random()::text), 'hex'), 'ak_fill', ARRAY['keys:read']
             FROM generate_series(1, $2) AS g`,
          [userId, n],
        ),
      );
      await client.query("ALTER TABLE api_keys ENABLE ALWAYS TRIGGER api_keys_inserted");
      await client.query("COMMIT");
    }
    await client.query("SET statement_timeout = 0");
    await client.query(withFillTimeout("VACUUM ANALYZE api_keys"));
    // the fill's dirty pages written now, not by a checkpoint in the middle of the HTTP rows that follow
    await client.query(withFillTimeout("CHECKPOINT"));
  } finally {
    client.release(true);
  }
}
