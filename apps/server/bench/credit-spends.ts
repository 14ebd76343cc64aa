/**
 * `pnpm --filter @keysmith/server exec tsx bench/credit-spends.ts
 * [--in-flight=N] [--seconds=S]`: verifications of keys with credits, in
 * process, N at a time (60 by default), S seconds a run (4), alternating one
 * key (every verification spends from the same row) and 100 keys, two runs
 * each. Prints VALID verifications a second. For comparing how spends commit
 * (docs/deploy.md, "Key creation, credits and the WAL flush"): run it on the
 * commits to compare, one after the other. No results file, no target.
 */
import { signUp, verifyApiKey } from "@keysmith/auth";
import { getPool } from "@keysmith/db";

import { startBenchDatabase } from "./bench-database.ts";
import { insertRealKeys } from "./seed.ts";

const option = (name: string, fallback: number) => Number(process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const inFlight = option("in-flight", 60);
const seconds = option("seconds", 4);

const database = await startBenchDatabase();
try {
  const user = await signUp({ username: "bench", email: "bench@example.test", name: "Bench", password: "bench password" });
  const keys = await insertRealKeys(getPool(), user.id, 100);
  await getPool().query("UPDATE api_keys SET remaining = 1000000000");
  for (const oneKey of [true, false, true, false]) {
    let valid = 0;
    const started = performance.now();
    const end = started + seconds * 1000;
    const worker = async (first: number) => {
      for (let i = first; performance.now() < end; i += inFlight) {
        const { result } = await verifyApiKey(oneKey ? (keys[0] as string) : (keys[i % keys.length] as string));
        if (result.code !== "VALID") throw new Error(`a verification answered ${result.code}`);
        valid += 1;
      }
    };
    await Promise.all(Array.from({ length: inFlight }, (_, i) => worker(i)));
    const perSecond = valid / ((performance.now() - started) / 1000);
    console.log(`${oneKey ? "one key " : "100 keys"}  ${inFlight} in flight  ${Math.round(perSecond).toLocaleString("en").padStart(7)} VALID/s`);
  }
} finally {
  await database.stop();
}
