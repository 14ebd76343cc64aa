import { randomBytes } from "node:crypto";

import pg from "pg";
import { afterAll, expect, test } from "vitest";

import { dbEnv, getPool, replicaRoleAvailable } from "../src/index.ts";
import { probeOnce } from "../src/probe-once.ts";

const role = `keysmith_plain_${randomBytes(4).toString("hex")}`;
afterAll(async () => {
  // the grant is the cluster's (pg_parameter_acl), as the role is: both go
  await getPool().query(`REVOKE SET ON PARAMETER session_replication_role FROM ${role}`).catch(() => undefined);
  await getPool().query(`DROP ROLE IF EXISTS ${role}`);
});

/** A pool of one connection as `role`, in this test file's database. */
function poolAs(name: string): pg.Pool {
  const url = new URL(dbEnv.databaseUrl() ?? "");
  url.username = name;
  url.password = "plain";
  return new pg.Pool({ connectionString: url.toString(), max: 1 });
}

test("replicaRoleAvailable answers true for the test database's superuser, false for a plain role, and true for a plain role granted SET on session_replication_role", async () => {
  expect(await replicaRoleAvailable(getPool())).toBe(true);

  await getPool().query(`CREATE ROLE ${role} LOGIN PASSWORD 'plain'`);
  const plain = poolAs(role);
  try {
    expect(await replicaRoleAvailable(plain)).toBe(false);
  } finally {
    await plain.end();
  }

  await getPool().query(`GRANT SET ON PARAMETER session_replication_role TO ${role}`);
  // a new pool: the answer is kept per pool
  const granted = poolAs(role);
  try {
    expect(await replicaRoleAvailable(granted)).toBe(true);
    // and it is true: the role can set it
    const { rows } = await granted.query<{ role: string }>("SELECT set_config('session_replication_role', 'replica', true) AS role");
    expect(rows[0]?.role).toBe("replica");
  } finally {
    await granted.end();
  }
});

test("probeOnce asks once for callers at the same time, and asks again after a failed question, whose callers get its error", async () => {
  const answers = new WeakMap<pg.Pool, Promise<boolean>>();
  const pool = getPool();
  let asked = 0;
  const failing = () => {
    asked += 1;
    return Promise.reject(new Error("the database is down"));
  };
  const both = [probeOnce(answers, pool, failing), probeOnce(answers, pool, failing)];
  for (const answer of both) await expect(answer).rejects.toThrow("the database is down");
  expect(asked).toBe(1);

  const answering = () => {
    asked += 1;
    return Promise.resolve(true);
  };
  expect(await probeOnce(answers, pool, answering)).toBe(true);
  expect(await probeOnce(answers, pool, answering)).toBe(true);
  expect(asked).toBe(2);
});
