/**
 * `pnpm --filter @keysmith/server exec tsx bench/cold-cache.ts`: what three
 * steps of every verification (the body's JSON.parse, the envelope's
 * JSON.stringify, a SHA-256 of a key, by OpenSSL and by the JavaScript the
 * key cache now uses) cost with the CPU's caches warm, as in
 * a loop of microbenchmarks, and right after 16 MiB of other memory was
 * touched, as when a larger program (and autocannon, and PostgreSQL) ran in
 * between. It explains why one machine can charge apps/server's own handling
 * several times what another does while the bare Node floor, whose working
 * set is small, slows down far less (docs/performance.md, "Seventh look").
 * Prints figures only; no target.
 */
import { hash } from "node:crypto";

import { shortSha256Base64url } from "@keysmith/auth";
import { type VerifyResult } from "@keysmith/validators";

const key = `ak_${"x".repeat(43)}`;
const body = JSON.stringify({ key });
// typed as the real answer, so a field added to it is added here too
const data: VerifyResult = { valid: true, code: "VALID", id: 1, name: "bench key 17", owner_id: 1, expires_at: null, scopes: ["keys:read"], remaining: null, retry_after_seconds: null };
const other = new Float64Array((16 * 1024 * 1024) / 8);
const ROUNDS = 500;

/** Reads and writes one word of each 64-byte cache line of `other`: its lines displace the step's. */
function touchOtherMemory(): void {
  for (let i = 0; i < other.length; i += 8) other[i] = (other[i] as number) + 1;
}

const steps: [string, () => unknown][] = [
  ["JSON.parse of a verify body", () => JSON.parse(body) as unknown],
  ["JSON.stringify of a VALID envelope", () => JSON.stringify({ data, message: "API key is valid", status: "success" })],
  ["SHA-256 of a key (crypto.hash)", () => hash("sha256", key, "base64url")],
  ["SHA-256 of a key (short-sha256.ts)", () => shortSha256Base64url(key)],
];

for (const [name, step] of steps) {
  for (let i = 0; i < 20_000; i += 1) step();
  let warm = 0n;
  let cold = 0n;
  for (let i = 0; i < ROUNDS; i += 1) {
    let started = process.hrtime.bigint();
    step();
    warm += process.hrtime.bigint() - started;
    touchOtherMemory();
    started = process.hrtime.bigint();
    step();
    cold += process.hrtime.bigint() - started;
  }
  const us = (total: bigint) => (Number(total) / ROUNDS / 1000).toFixed(2);
  console.log(`${name.padEnd(36)} warm ${us(warm).padStart(6)} µs   after other memory ${us(cold).padStart(6)} µs   ×${(Number(cold) / Number(warm)).toFixed(1)}`);
}
