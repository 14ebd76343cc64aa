import { randomBytes } from "node:crypto";

import pg from "pg";
import { afterAll, expect, test } from "vitest";

import { dbEnv, getPool, isReplicaRoleRefusal, noteReplicaRoleRefused, replicaRoleRefused } from "../src/index.ts";

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

const SET_REPLICA = "SELECT set_config('session_replication_role', 'replica', true) AS role";

test("a plain role's setting of session_replication_role fails with an error isReplicaRoleRefusal recognises; the same role granted SET on it sets it", async () => {
  await getPool().query(`CREATE ROLE ${role} LOGIN PASSWORD 'plain'`);
  const plain = poolAs(role);
  try {
    const error: unknown = await plain.query(SET_REPLICA).catch((failure: unknown) => failure);
    expect(isReplicaRoleRefusal(error)).toBe(true);
  } finally {
    await plain.end();
  }

  await getPool().query(`GRANT SET ON PARAMETER session_replication_role TO ${role}`);
  const granted = poolAs(role);
  try {
    const { rows } = await granted.query<{ role: string }>(SET_REPLICA);
    expect(rows[0]?.role).toBe("replica");
  } finally {
    await granted.end();
  }
});

test("isReplicaRoleRefusal is false for other failures: a unique violation, a statement timeout, an error without a code", () => {
  expect(isReplicaRoleRefusal(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
  expect(isReplicaRoleRefusal(Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" }))).toBe(false);
  expect(isReplicaRoleRefusal(new Error("Connection terminated"))).toBe(false);
  expect(isReplicaRoleRefusal(null)).toBe(false);
});

test("replicaRoleRefused is false for a pool until noteReplicaRoleRefused is called for it, and stays false for other pools", async () => {
  const pool = new pg.Pool({ connectionString: dbEnv.databaseUrl() ?? "", max: 1 });
  try {
    expect(replicaRoleRefused(pool)).toBe(false);
    noteReplicaRoleRefused(pool);
    expect(replicaRoleRefused(pool)).toBe(true);
    expect(replicaRoleRefused(getPool())).toBe(false);
  } finally {
    await pool.end();
  }
});
