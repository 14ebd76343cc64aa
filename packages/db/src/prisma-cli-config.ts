/**
 * Configuration of the Prisma CLI (generate, migrate). prisma/prisma.config.ts
 * re-exports it; it lives here because this package owns the dependencies.
 *
 * Prisma 6.19's WebAssembly schema engine (`engine: "js"`) is used because the
 * native engines cannot be downloaded on our machines. Four workarounds,
 * each seen to be needed (see ../../../README.md, "Migrations"):
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { defineConfig } from "prisma/config";

import { connectionConfig } from "./connection-config.ts";

const prismaDir = fileURLToPath(new URL("../../../prisma", import.meta.url));

// 1. prisma/prisma#27403: the engine reads catalog columns of types `name`
//    (oid 19) and `"char"` (oid 18), which adapter-pg cannot map. Report them
//    as text (oid 25); the values are plain strings either way.
function asTextFields(result: unknown): unknown {
  const fields = (result as { fields?: { dataTypeID: number }[] } | undefined)?.fields;
  for (const field of fields ?? []) {
    if (field.dataTypeID === 19 || field.dataTypeID === 18) field.dataTypeID = 25;
  }
  return result;
}
// adapter-pg queries through Pool.query (which calls Client.query with a
// callback) and, inside transactions, through Client.query: patch the promise
// path of both.
for (const proto of [pg.Pool.prototype, pg.Client.prototype] as { query: (...args: unknown[]) => unknown }[]) {
  const original = proto.query;
  proto.query = function patchedQuery(this: unknown, ...args: unknown[]) {
    const out = Reflect.apply(original, this, args);
    return out instanceof Promise ? out.then(asTextFields) : out;
  };
}

// 2. The CLI otherwise lingers ~10 s after its work: idle pools and long
//    timers left by the wasm engine keep the event loop alive.
const originalSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = ((handler: () => void, ms?: number, ...rest: unknown[]) => {
  const timer = Reflect.apply(originalSetTimeout, globalThis, [handler, ms, ...rest]) as NodeJS.Timeout;
  if ((ms ?? 0) >= 5_000) timer.unref();
  return timer;
}) as typeof setTimeout;

// 4. adapter-pg runs a migration script by splitting it at every ";" and
//    sending the pieces one by one, which cuts function bodies (the key
//    change triggers) apart. Send the script whole instead: one simple query,
//    which PostgreSQL runs as one implicit transaction.
type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;
function runScriptsWhole(adapter: Adapter): Adapter {
  const internals = adapter as unknown as { client: pg.Pool; onError(error: unknown): never };
  adapter.executeScript = async (script: string) => {
    try {
      await internals.client.query(script);
    } catch (error) {
      internals.onError(error);
    }
  };
  return adapter;
}

// 3. adapter-pg's shadow database for `migrate dev` migrates the main database
//    when given a connectionString, and drops the shadow database while its own
//    pool still holds it. Create it, connect to it with discrete settings, and
//    drop it only after that connection is closed.
class MigrateAdapterFactory extends PrismaPg {
  readonly #base: pg.PoolConfig;

  constructor(url: string) {
    const base = { ...connectionConfig(url), allowExitOnIdle: true };
    super(base);
    this.#base = base;
  }

  override async connect() {
    return runScriptsWhole(await super.connect());
  }

  override async connectToShadowDb() {
    const database = `prisma_shadow_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
    const admin = new pg.Client(this.#base);
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}"`);
    await admin.end();
    const shadow = runScriptsWhole(await new PrismaPg({ ...this.#base, database }).connect());
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      const dropper = new pg.Client(this.#base);
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS "${database}"`);
      await dropper.end();
    };
    return shadow;
  }
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join(prismaDir, "schema.prisma"),
  migrations: { path: path.join(prismaDir, "migrations") },
  adapter() {
    const url = process.env.DATABASE_URL;
    if (!url) return Promise.reject(new Error("DATABASE_URL must be set for the Prisma CLI (a dummy URL is enough for `generate`)."));
    return Promise.resolve(new MigrateAdapterFactory(url));
  },
});
