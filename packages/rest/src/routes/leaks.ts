import { checkGithubSignature } from "@keysmith/auth";
import { handleGithubAlert, reportLeakedKeys } from "@keysmith/core";
import { KeysmithError, MAX_GITHUB_MATCHES, MAX_REPORTED_KEYS, parseGithubAlert, parseInput, ZGithubSecretAlert, ZGithubSecretFeedback, ZReportLeakInput } from "@keysmith/validators";
import { z } from "zod";

import { rawJson, success } from "../envelope.ts";
import { decodeUtf8, readBody } from "../read-body.ts";
import { type Route } from "../route.ts";

/** 1,000 keys with their quotes fit in 64 KiB; the default 16 KiB would not. */
const REPORT_MAX_BYTES = 64 * 1024;
/** GitHub may batch many matches in one call (up to 10,000), each with a URL of 2 KiB or so. */
const GITHUB_MAX_BYTES = 8 * 1024 * 1024;

const REPORTED = "Thank you: every key in the report that exists has been revoked.";

/** POST /api-keys/report-leak: anyone may report keys found in public; the answer never says which existed. */
export const reportLeakRoute: Route = {
  method: "POST",
  path: "/api-keys/report-leak",
  auth: false,
  doc: {
    summary: "Report leaked API keys",
    description:
      `Anyone who finds Keysmith keys in public (a repository, a paste, a log) may send them here, at most ${MAX_REPORTED_KEYS} a call, with \`url\` saying where. ` +
      "Every live key among them is revoked at once, its owner sees where it was found, and the event is in their audit log. " +
      "The answer is 202 whether or not any key existed: this endpoint cannot be used to learn whether a key is real. " +
      "No credentials are needed; each client address may call it 10 times a minute. Modelled on GitHub's credential-revocation API.",
    body: ZReportLeakInput,
    data: z.null(),
    status: 202,
    message: REPORTED,
    maxBodyBytes: REPORT_MAX_BYTES,
    errors: [400, 413, 415, 429],
    requestExample: { keys: ["ak_WT2l5Rw8Rv8Mp7Q7fLh7dFgEDl_EMAntCsqlxhEsu-0"], url: "https://gist.github.com/someone/0123456789abcdef" },
  },
  async handle({ request, clientAddress, now }) {
    const input = parseInput(ZReportLeakInput, await readBody(request, REPORT_MAX_BYTES));
    await reportLeakedKeys({ input, client: { address: clientAddress, userAgent: request.headers.get("user-agent") }, now });
    return success(null, REPORTED, 202);
  },
};

/**
 * POST /secret-scanning/github: GitHub's secret-scanning partner endpoint.
 * The signature is checked over the bytes as they arrived, before any parse.
 */
export const githubSecretScanningRoute: Route = {
  method: "POST",
  path: "/secret-scanning/github",
  auth: false,
  doc: {
    summary: "GitHub secret scanning alert",
    description:
      "Called by GitHub when a Keysmith key (token type `keysmith_api_key`) is pushed to a public repository, gist or npm package. " +
      "The request must carry `Github-Public-Key-Identifier` and `Github-Public-Key-Signature`: an ECDSA P-256 SHA-256 signature of the body's exact bytes " +
      "by one of GitHub's published keys, which the server reads from the file KEYSMITH_GITHUB_SCANNING_KEYS names; anything else is 401. " +
      `The body is a JSON array of matches (at most ${MAX_GITHUB_MATCHES}); every live key among them is revoked, with the URL and where GitHub found it. ` +
      "A `url` or `source` longer than the leak record keeps (2048 and 64 characters) is stored cut, never refused. " +
      "The answer is GitHub's feedback format, not the envelope: one entry per distinct token, by its SHA-256, labelled true_positive (a key of this server, live or not) or false_positive. " +
      "While the server cannot read its copy of GitHub's keys (the file is missing, unreadable or not in GitHub's format), every call is 503 with `Retry-After`, and the server's log says why.",
    body: ZGithubSecretAlert,
    jsonOnly: true,
    data: ZGithubSecretFeedback,
    raw: true,
    status: 200,
    message: "Feedback on each token",
    maxBodyBytes: GITHUB_MAX_BYTES,
    errors: [400, 401, 413],
    errorExamples: { 401: { message: "Github-Public-Key-Signature does not match the body." } },
    requestExample: [
      { token: "ak_WT2l5Rw8Rv8Mp7Q7fLh7dFgEDl_EMAntCsqlxhEsu-0", type: "keysmith_api_key", url: "https://github.com/octocat/Hello-World/blob/12345600b9cbe38a219f39a9941c9319b600c002/foo/bar.txt", source: "content" },
    ],
    responseExample: [{ token_hash: "5f5e2b0dd2d7bd0c3e0f7ba0a8c2c0b1d6b0c8b7a4c6e1f2d3e4f5a6b7c8d9e0", token_type: "keysmith_api_key", label: "true_positive" }],
  },
  async handle({ request, clientAddress, now }) {
    const bytes = await request.bytes(GITHUB_MAX_BYTES);
    await checkGithubSignature(bytes, request.headers);
    let parsed: unknown;
    try {
      parsed = JSON.parse(decodeUtf8(bytes) ?? "");
    } catch {
      throw new KeysmithError("BAD_REQUEST", "The body is not a JSON array of matches.");
    }
    const alert = parseGithubAlert(parsed);
    const feedback = await handleGithubAlert({ alert, client: { address: clientAddress, userAgent: request.headers.get("user-agent") }, now });
    return rawJson(JSON.stringify(feedback));
  },
};
