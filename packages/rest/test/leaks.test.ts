/**
 * Leaked keys: GitHub's secret-scanning partner endpoint (signature over the
 * raw bytes, batches, feedback) and the public leak report (revokes without
 * saying which keys existed). Signatures use a key pair made here: no network.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { apiKeyDisplayPrefix, generateApiKey, hashApiKey, keyEventsStatus, verifyApiKey } from "@keysmith/auth";
import { getDb, getPool } from "@keysmith/db";
import { describe, expect, test, vi } from "vitest";

import { call, githubSignatureHeaders, json, newUser, tokenFor } from "./helpers.ts";

const stranger = generateKeyPairSync("ec", { namedCurve: "prime256v1" });

const auth = (credential: string) => ({ authorization: `Bearer ${credential}`, "content-type": "application/json" });
const sha256Hex = (key: string) => Buffer.from(hashApiKey(key)).toString("hex");

interface Match {
  token: string;
  type: string;
  url?: string;
  source?: string;
}
const signed = (body: string) => githubSignatureHeaders(body);

const alert = (body: string, headers: Record<string, string> = signed(body)) => call("POST", "/secret-scanning/github", { body, headers });
const match = (token: string, url = "https://github.com/octo/repo/blob/abc/.env"): Match => ({ token, type: "keysmith_api_key", url, source: "content" });

async function owner() {
  const { username, password } = await newUser();
  return tokenFor(username, password);
}

async function createKey(token: string, name = "k") {
  return (await json(await call("POST", "/api-keys", { body: JSON.stringify({ name, scopes: ["keys:read", "keys:verify"] }), headers: auth(token) }))).data as { id: number; key: string };
}

async function detail(token: string, id: number) {
  return (await json(await call("GET", `/api-keys/${id}`, { headers: auth(token) }))).data as { status: string; revoked_at: string | null; leak: Record<string, unknown> | null };
}

async function verifyCode(token: string, key: string) {
  return ((await json(await call("POST", "/api-keys/verify", { body: JSON.stringify({ key }), headers: auth(token) }))).data as { code: string }).code;
}

async function leakEvents(token: string, id: number) {
  return (await json(await call("GET", `/audit-log?event=key.leaked&key_id=${id}`, { headers: auth(token) }))).data as { actor: { type: string }; details: Record<string, unknown> }[];
}

describe("POST /secret-scanning/github", () => {
  test("a signed alert revokes the real key with GitHub's URL and source, labels it true_positive and an unknown token false_positive, by SHA-256", async () => {
    const token = await owner();
    const { id, key } = await createKey(token, "pushed");
    const invented = generateApiKey();
    const body = JSON.stringify([match(key), { token: invented, type: "keysmith_api_key", url: "https://www.npmjs.com/package/x", source: "npm" }]);
    const response = await alert(body);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual([
      { token_hash: sha256Hex(key), token_type: "keysmith_api_key", label: "true_positive" },
      { token_hash: sha256Hex(invented), token_type: "keysmith_api_key", label: "false_positive" },
    ]);
    expect(text).not.toContain(key);
    expect(await verifyCode(token, key)).toBe("REVOKED");
    const shown = await detail(token, id);
    expect(shown.status).toBe("revoked");
    expect(shown.leak).toEqual({ at: shown.revoked_at, source: "github", location: "content", url: "https://github.com/octo/repo/blob/abc/.env", acknowledged: false });
    expect(await leakEvents(token, id)).toEqual([
      expect.objectContaining({ actor: expect.objectContaining({ type: "github" }), details: { source: "github", location: "content", url: "https://github.com/octo/repo/blob/abc/.env" } }),
    ]);
  });

  test("a body re-serialised after signing (same JSON, other bytes) is 401 and revokes nothing", async () => {
    const token = await owner();
    const { id, key } = await createKey(token);
    const signedText = JSON.stringify([match(key)], null, 2);
    const response = await alert(JSON.stringify(JSON.parse(signedText)), signed(signedText));
    expect(response.status).toBe(401);
    expect(await json(response)).toMatchObject({ data: null, status: "failed", message: "Github-Public-Key-Signature does not match the body." });
    expect((await detail(token, id)).leak).toBeNull();
    expect(await verifyCode(token, key)).toBe("VALID");
  });

  test.each<[string, (body: string) => Record<string, string>, RegExp]>([
    ["no signature headers", () => ({ "content-type": "application/json" }), /headers are required/],
    ["an identifier GitHub never published", (body) => githubSignatureHeaders(body, { identifier: "0".repeat(64) }), /names no key/],
    ["a signature by another key", (body) => githubSignatureHeaders(body, { signer: stranger.privateKey }), /does not match/],
    ["a signature that is not base64 DER", (body) => ({ ...signed(body), "github-public-key-signature": "not a signature" }), /does not match/],
  ])("%s is 401 saying why", async (_, headers, message) => {
    const body = JSON.stringify([match(generateApiKey())]);
    const response = await alert(body, headers(body));
    expect(response.status).toBe(401);
    expect((await json(response)).message).toMatch(message);
  });

  test("without KEYSMITH_GITHUB_SCANNING_KEYS every alert is 401 saying the endpoint is not set up", async () => {
    const body = JSON.stringify([match(generateApiKey())]);
    const headers = signed(body);
    const keysFile = process.env.KEYSMITH_GITHUB_SCANNING_KEYS;
    delete process.env.KEYSMITH_GITHUB_SCANNING_KEYS;
    try {
      const response = await alert(body, headers);
      expect(response.status).toBe(401);
      expect((await json(response)).message).toMatch(/not set up on this server: KEYSMITH_GITHUB_SCANNING_KEYS/);
    } finally {
      process.env.KEYSMITH_GITHUB_SCANNING_KEYS = keysFile;
    }
  });

  describe("when the file KEYSMITH_GITHUB_SCANNING_KEYS names cannot be used", () => {
    /** Runs `run` with the variable naming `file`, the server's error log captured. */
    async function withKeysFile(file: string, run: (logged: () => string[]) => Promise<void>) {
      const keysFile = process.env.KEYSMITH_GITHUB_SCANNING_KEYS;
      process.env.KEYSMITH_GITHUB_SCANNING_KEYS = file;
      const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
      try {
        await run(() => errors.mock.calls.map((args) => args.map(String).join(" ")));
      } finally {
        errors.mockRestore();
        process.env.KEYSMITH_GITHUB_SCANNING_KEYS = keysFile;
      }
    }

    test("a missing file: every alert is 503 with Retry-After and a message not naming the file, and the log says once that the file does not exist (ENOENT)", async () => {
      const body = JSON.stringify([match(generateApiKey())]);
      const headers = signed(body);
      const missing = path.join(tmpdir(), "keysmith-no-such-folder", "github-keys.json");
      await withKeysFile(missing, async (logged) => {
        for (let i = 0; i < 3; i++) {
          const response = await alert(body, headers);
          expect(response.status).toBe(503);
          expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
          const { message } = await json(response);
          expect(message).toMatch(/GitHub's public keys/);
          expect(message).not.toContain(missing);
        }
        const lines = logged();
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(missing);
        expect(lines[0]).toMatch(/does not exist \(ENOENT\)/);
      });
    });

    test("a file that is not JSON, then JSON not in GitHub's shape, then a key that is not PEM: each 503 and logged once with its own reason; once the file is fixed, the same alert answers 200 and revokes its key", async () => {
      const { id, key } = await createKey(await owner());
      const body = JSON.stringify([match(key)]);
      const headers = signed(body);
      const folder = mkdtempSync(path.join(tmpdir(), "keysmith-bad-keys-"));
      const file = path.join(folder, "keys.json");
      const good = process.env.KEYSMITH_GITHUB_SCANNING_KEYS as string;
      try {
        await withKeysFile(file, async (logged) => {
          const twice = async () => {
            for (let i = 0; i < 2; i++) expect((await alert(body, headers)).status).toBe(503);
          };
          writeFileSync(file, "<html>not the keys</html>");
          await twice();
          writeFileSync(file, JSON.stringify({ keys: [] }));
          await twice();
          writeFileSync(file, JSON.stringify({ public_keys: [{ key_identifier: headers["github-public-key-identifier"], key: "not a PEM key" }] }));
          await twice();
          expect(logged()).toEqual([
            expect.stringMatching(/keys\.json is not JSON/),
            expect.stringMatching(/keys\.json is not in the shape .*public_keys/),
            expect.stringMatching(/keys\.json: the key .* is not a PEM public key/),
          ]);
          writeFileSync(file, readFileSync(good));
          expect((await alert(body, headers)).status).toBe(200);
          expect((await getDb().apiKey.findUniqueOrThrow({ where: { id } })).revokedAt).not.toBeNull();
        });
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });
    test("a key that is not PEM in the file: alerts naming it and alerts naming an identifier the file lacks, alternating, are logged once in all, whatever identifier callers send", async () => {
      const body = JSON.stringify([match(generateApiKey())]);
      const headers = signed(body);
      const folder = mkdtempSync(path.join(tmpdir(), "keysmith-bad-pem-"));
      const file = path.join(folder, "keys.json");
      try {
        writeFileSync(file, JSON.stringify({ public_keys: [{ key_identifier: headers["github-public-key-identifier"], key: "not a PEM key" }] }));
        await withKeysFile(file, async (logged) => {
          for (let i = 0; i < 3; i++) {
            expect((await alert(body, headers)).status).toBe(503);
            expect((await alert(body, { ...headers, "github-public-key-identifier": `nope-${i}` })).status).toBe(503);
          }
          expect(logged()).toEqual([expect.stringMatching(/keys\.json: the key .* is not a PEM public key/)]);
        });
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });
  });

  test.each<[string, string, RegExp]>([
    ["not JSON", "token=ak_x", /not a JSON array/],
    ["a JSON object", JSON.stringify({ token: "ak_x" }), /JSON array of matches/],
    ["an empty array", "[]", /at least one match/],
    ["a match without a token", JSON.stringify([{ type: "keysmith_api_key" }]), /token is required/],
  ])("a signed body that is %s is 400", async (_, body, message) => {
    const response = await alert(body);
    expect(response.status).toBe(400);
    expect((await json(response)).message).toMatch(message);
  });

  test("a match with a url over 2,048 characters and a source over 64 still has its key revoked (200, true_positive, REVOKED), with the first 2,048 and 64 characters stored and audited", async () => {
    const token = await owner();
    const { id, key } = await createKey(token);
    const url = `https://github.com/octo/repo/blob/abc/${"a".repeat(3000)}`;
    const source = "s".repeat(100);
    const response = await alert(JSON.stringify([match(generateApiKey()), { token: key, type: "keysmith_api_key", url, source }]));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { label: string }[])[1]).toEqual({ token_hash: sha256Hex(key), token_type: "keysmith_api_key", label: "true_positive" });
    expect(await verifyCode(token, key)).toBe("REVOKED");
    expect((await detail(token, id)).leak).toMatchObject({ source: "github", url: url.slice(0, 2048), location: source.slice(0, 64) });
    expect((await leakEvents(token, id))[0]?.details).toEqual({ source: "github", location: source.slice(0, 64), url: url.slice(0, 2048) });
  });

  test("an over-long url of emoji is cut after 2,048 characters (code points), not 2,048 UTF-16 units, so no half character is stored", async () => {
    const token = await owner();
    const { id, key } = await createKey(token);
    const url = `https://github.com/octo/${"😀".repeat(3000)}`;
    expect((await alert(JSON.stringify([match(key, url)]))).status).toBe(200);
    const stored = (await detail(token, id)).leak?.url as string;
    // PostgreSQL counts characters as code points, as Array.from splits a string
    expect(stored).toBe(Array.from(url).slice(0, 2048).join(""));
    expect(stored).not.toContain("\ufffd");
  });

  test("a match whose url is not text is 400 with errors naming the item and field (\"[1].url\"), the message too, and its alert revokes nothing", async () => {
    const token = await owner();
    const { key } = await createKey(token);
    const response = await alert(JSON.stringify([match(key), { token: generateApiKey(), type: "keysmith_api_key", url: 42 }]));
    expect(response.status).toBe(400);
    const answer = await json(response);
    expect(answer.errors).toEqual({ "[1].url": ["url must be text."] });
    expect(answer.message).toBe("[1].url: url must be text.");
    expect(await verifyCode(token, key)).toBe("VALID");
  });

  test("a body over 8 MiB is 413", async () => {
    const body = "[" + " ".repeat(8 * 1024 * 1024) + "]";
    const response = await alert(body, { ...signed(body), "content-length": String(body.length) });
    expect(response.status).toBe(413);
  });

  test("a batch of 1,000 matches (800 keys of three owners, 200 invented) revokes all 800 with one audit event each, and labels every token", async () => {
    const owners = await Promise.all([0, 1, 2].map(async () => (await newUser()).user.id));
    const keys = Array.from({ length: 800 }, () => generateApiKey());
    await getDb().apiKey.createMany({
      data: keys.map((key, i) => ({ userId: owners[i % 3] ?? 0, name: `bulk-${i}`, keyHash: hashApiKey(key), prefix: key.slice(0, 7) })),
    });
    const invented = Array.from({ length: 200 }, () => generateApiKey());
    const body = JSON.stringify([...keys, ...invented].map((token, i) => match(token, `https://github.com/octo/repo/blob/abc/file-${i}`)));
    const response = await alert(body);
    expect(response.status).toBe(200);
    const feedback = (await response.json()) as { token_hash: string; label: string }[];
    expect(feedback).toHaveLength(1000);
    expect(feedback.filter((entry) => entry.label === "true_positive").map((entry) => entry.token_hash)).toEqual(keys.map(sha256Hex));
    const rows = await getDb().apiKey.findMany({ where: { keyHash: { in: keys.map(hashApiKey) } } });
    expect(rows.filter((row) => row.revokedAt !== null && row.leakSource === "github")).toHaveLength(800);
    expect(rows.find((row) => row.name === "bulk-7")?.leakUrl).toBe("https://github.com/octo/repo/blob/abc/file-7");
    expect(await getDb().auditEvent.count({ where: { event: "key.leaked", keyId: { in: rows.map((row) => row.id) } } })).toBe(800);
  });

  test("an alert of 10,000 live keys (the most one call may carry) answers 200 within GitHub's 30 s, labels all 10,000 true_positive, writes 10,000 key.leaked events, every key's row then revoked and leaked, and the 500 cached as VALID first then verify REVOKED", async () => {
    const ownerId = (await newUser()).user.id;
    const keys = Array.from({ length: 10_000 }, () => generateApiKey());
    // one INSERT, not 10,000 API calls
    const { rows } = await getPool().query<{ id: number }>(
      `INSERT INTO api_keys (user_id, name, key_hash, prefix, scopes)
       SELECT $1, 'bulk ' || n, h, p, ARRAY['keys:verify'] FROM unnest($2::int[], $3::bytea[], $4::text[]) AS t(n, h, p) RETURNING id`,
      [ownerId, keys.map((_, i) => i), keys.map((key) => Buffer.from(hashApiKey(key))), keys.map(apiKeyDisplayPrefix)],
    );
    // the function behind POST /api-keys/verify, 20 at a time (10,000 at once would queue past the pool's connect timeout)
    const codesOf = async (some: readonly string[]) => {
      const codes = new Set<string>();
      let next = 0;
      const worker = async () => {
        while (next < some.length) codes.add((await verifyApiKey(some[next++] as string)).result.code);
      };
      await Promise.all(Array.from({ length: 20 }, worker));
      return codes;
    };
    // cached as VALID first (the cache is used once this instance hears key changes): the revocation must reach the cache too
    await verifyApiKey(generateApiKey());
    await vi.waitFor(() => expect(keyEventsStatus().state).toBe("listening"));
    expect(await codesOf(keys.filter((_, i) => i % 20 === 0))).toEqual(new Set(["VALID"]));
    const body = JSON.stringify(keys.map((token, i) => match(token, `https://github.com/octo/repo/blob/abc/file-${i}`)));
    const started = performance.now();
    const response = await alert(body);
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(30_000);
    const feedback = (await response.json()) as { label: string }[];
    expect(feedback.filter((entry) => entry.label === "true_positive")).toHaveLength(10_000);
    const events = await getPool().query<{ count: string }>("SELECT count(*) FROM audit_events WHERE event = 'key.leaked' AND key_id = ANY($1::int[])", [rows.map((row) => row.id)]);
    expect(Number(events.rows[0]?.count)).toBe(10_000);
    // every row by one query; through verification, the cached ones (the revocation must reach the cache) and as many more
    const live = await getPool().query<{ count: string }>("SELECT count(*) FROM api_keys WHERE id = ANY($1::int[]) AND (revoked_at IS NULL OR leaked_at IS NULL)", [rows.map((row) => row.id)]);
    expect(Number(live.rows[0]?.count)).toBe(0);
    expect(await codesOf(keys.filter((_, i) => i % 10 === 0))).toEqual(new Set(["REVOKED"]));
  }, 60_000);

  test("the same alert twice answers the same feedback and changes nothing the second time (one audit event, the first revocation time)", async () => {
    const token = await owner();
    const { id, key } = await createKey(token);
    const body = JSON.stringify([match(key), match(key, "https://github.com/octo/other/blob/def/x")]);
    const first = await (await alert(body)).json();
    const before = await detail(token, id);
    const second = await (await alert(body)).json();
    expect(second).toEqual(first);
    expect(first).toHaveLength(1);
    expect(await detail(token, id)).toEqual(before);
    expect(before.leak?.url).toBe("https://github.com/octo/repo/blob/abc/.env");
    expect(await leakEvents(token, id)).toHaveLength(1);
  });

  test("a key already revoked keeps its revocation time, is labelled true_positive and gets its leak recorded", async () => {
    const token = await owner();
    const { id, key } = await createKey(token);
    const revoked = (await json(await call("POST", `/api-keys/${id}/revoke`, { headers: auth(token) }))).data as { revoked_at: string };
    const feedback = (await (await alert(JSON.stringify([match(key)]))).json()) as { label: string }[];
    expect(feedback[0]?.label).toBe("true_positive");
    const shown = await detail(token, id);
    expect(shown.revoked_at).toBe(revoked.revoked_at);
    expect(shown.leak).toMatchObject({ source: "github" });
  });
});

describe("POST /api-keys/report-leak", () => {
  const report = (body: unknown, clientAddress = "203.0.113.7") =>
    call("POST", "/api-keys/report-leak", { body: JSON.stringify(body), headers: { "content-type": "application/json" }, clientAddress });

  test("revokes a reported key, records the report's URL, and answers exactly as for an invented key", async () => {
    const token = await owner();
    const { id, key } = await createKey(token);
    const url = "https://pastebin.example/abc";
    const real = await report({ keys: [key], url }, "203.0.113.10");
    const invented = await report({ keys: [generateApiKey()], url }, "203.0.113.11");
    expect(real.status).toBe(202);
    expect(invented.status).toBe(202);
    expect([...real.headers].filter(([name]) => name !== "date")).toEqual([...invented.headers].filter(([name]) => name !== "date"));
    expect(await real.text()).toBe(await invented.text());
    expect(await verifyCode(token, key)).toBe("REVOKED");
    expect((await detail(token, id)).leak).toMatchObject({ source: "report", location: null, url, acknowledged: false });
    expect(await leakEvents(token, id)).toEqual([expect.objectContaining({ actor: expect.objectContaining({ type: "anonymous" }), details: { source: "report", location: null, url } })]);
  });

  test("reporting the same key again answers 202 and records nothing more", async () => {
    const token = await owner();
    const { id, key } = await createKey(token);
    expect((await report({ keys: [key, key] }, "203.0.113.12")).status).toBe(202);
    const before = await detail(token, id);
    expect((await report({ keys: [key] }, "203.0.113.13")).status).toBe(202);
    expect(await detail(token, id)).toEqual(before);
    expect(await leakEvents(token, id)).toHaveLength(1);
  });

  test.each<[string, unknown, string, RegExp]>([
    ["no keys", {}, "keys", /keys must be a list/],
    ["an empty list", { keys: [] }, "keys", /at least one key/],
    ["1,001 keys", { keys: Array.from({ length: 1001 }, () => "ak_x") }, "keys", /at most 1000 keys/],
    ["a key that is not text", { keys: [42] }, "keys", /keys must be text/],
    ["a URL over 2048 characters", { keys: ["ak_x"], url: `https://example.test/${"a".repeat(2048)}` }, "url", /at most 2048/],
  ])("%s is 400 naming the field", async (_, body, field, message) => {
    const response = await report(body, "203.0.113.20");
    expect(response.status).toBe(400);
    expect((await json(response)).errors?.[field]).toEqual([expect.stringMatching(message)]);
  });

  test("a body over 64 KiB is 413, and a text/plain body 415", async () => {
    const large = await call("POST", "/api-keys/report-leak", { body: JSON.stringify({ keys: ["x".repeat(70 * 1024)] }), headers: { "content-type": "application/json" }, clientAddress: "203.0.113.21" });
    expect(large.status).toBe(413);
    expect((await json(large)).message).toMatch(/larger than 64 KiB/);
    const text = await call("POST", "/api-keys/report-leak", { body: "ak_x", headers: { "content-type": "text/plain" }, clientAddress: "203.0.113.21" });
    expect(text.status).toBe(415);
  });

  test("the 11th report from one address within a minute is 429 with Retry-After; another address is still heard", async () => {
    for (let i = 0; i < 10; i++) expect((await report({ keys: [generateApiKey()] }, "203.0.113.30")).status).toBe(202);
    const refused = await report({ keys: [generateApiKey()] }, "203.0.113.30");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await report({ keys: [generateApiKey()] }, "203.0.113.31")).status).toBe(202);
  });
});
