import { z } from "zod";

import { type FieldErrors, KeysmithError } from "./errors.ts";
import { textField } from "./text.ts";

/** Who told Keysmith a key was leaked: GitHub's secret scanning, or anyone through the report endpoint. */
export const LEAK_SOURCES = ["github", "report"] as const;
export const ZLeakSource = z.enum(LEAK_SOURCES);
export type LeakSource = z.infer<typeof ZLeakSource>;

/** Why a key was revoked as leaked, as its owner sees it. */
export const ZKeyLeak = z.object({
  at: z.iso.datetime().describe("When Keysmith learned of it and revoked the key."),
  source: ZLeakSource.describe("github: GitHub secret scanning found it in public; report: someone reported it."),
  location: z.string().nullable().describe("Where GitHub found it (content, commit, pull_request_comment, npm, …)."),
  url: z.string().nullable().describe("Where it was found, when the finder said."),
  acknowledged: z.boolean().describe("The owner has dismissed the dashboard's banner about it."),
});
export type KeyLeak = z.infer<typeof ZKeyLeak>;

/** At most this many keys per report; GitHub's own credential-revocation API has the same cap. */
export const MAX_REPORTED_KEYS = 1_000;
/** At most this many matches in one call from GitHub (it may send several per call). */
export const MAX_GITHUB_MATCHES = 10_000;

/** The longest URL, and GitHub's name for where (`source`), a leak record keeps (api_keys.leak_url and leak_location). */
export const LEAK_URL_MAX_LENGTH = 2048;
export const LEAK_LOCATION_MAX_LENGTH = 64;

// a key is ~50 characters; anything this long is not one, and is not worth hashing
const reportedKey = (field: string) => textField(field, { trim: false }).pipe(z.string().min(1, `${field} cannot be empty.`).max(512, `${field} is longer than any key (512 characters at most).`));
const leakUrl = (field: string) => textField(field).pipe(z.string().max(LEAK_URL_MAX_LENGTH, `${field} can be at most ${LEAK_URL_MAX_LENGTH} characters.`));

/** POST /api-keys/report-leak: keys anyone found in public, and optionally where. */
export const ZReportLeakInput = z.object({
  keys: z
    .array(reportedKey("keys"), { error: 'keys must be a list of keys, like ["ak_…"].' })
    .min(1, "keys must list at least one key.")
    .max(MAX_REPORTED_KEYS, `keys can list at most ${MAX_REPORTED_KEYS} keys per call.`),
  url: leakUrl("url").optional().describe("Where the keys were found (a page, a commit, a paste)."),
});
export type ReportLeakInput = z.infer<typeof ZReportLeakInput>;

/**
 * One match in GitHub's secret scanning alert. `url` and `source` have no
 * length limit here: one over-long match must not refuse the whole alert and
 * leave its keys working, so they are cut to what the leak record keeps
 * (LEAK_URL_MAX_LENGTH, LEAK_LOCATION_MAX_LENGTH) when stored (see
 * revokeLeakedKeys in @keysmith/core). The body's 8 MiB bounds them.
 */
export const ZGithubSecretMatch = z.object({
  token: reportedKey("token"),
  type: textField("type").pipe(z.string().max(128, "type can be at most 128 characters.")),
  url: textField("url").nullish().describe(`Where GitHub found the token; stored cut to its first ${LEAK_URL_MAX_LENGTH} characters.`),
  source: textField("source").nullish().describe(`GitHub's name for where (content, commit, npm, …); stored cut to its first ${LEAK_LOCATION_MAX_LENGTH} characters.`),
});

/** The body GitHub POSTs: one or more matches. */
export const ZGithubSecretAlert = z
  .array(ZGithubSecretMatch, { error: "The body must be a JSON array of matches, each {token, type, url, source}." })
  .min(1, "The body must hold at least one match.")
  .max(MAX_GITHUB_MATCHES, `At most ${MAX_GITHUB_MATCHES} matches per call.`);
export type GithubSecretAlert = z.infer<typeof ZGithubSecretAlert>;

/**
 * GitHub's alert, parsed, or a BAD_REQUEST naming what is wrong. The body is
 * a bare array, so a match's field is named by its index: `[3].token`, and
 * the match itself `[3]` (parseInput would name both `3`); the message names
 * the first one too, since a reason alone does not say which of 10,000
 * matches it is. The body as a whole (not an array, empty, too many) is
 * named by no field.
 */
export function parseGithubAlert(input: unknown): GithubSecretAlert {
  const result = ZGithubSecretAlert.safeParse(input);
  if (result.success) return result.data;
  const fields: FieldErrors = {};
  let general: string | undefined;
  for (const issue of result.error.issues) {
    const [index, field] = issue.path;
    if (typeof index !== "number") {
      general ??= issue.message;
      continue;
    }
    const name = field === undefined ? `[${index}]` : `[${index}].${String(field)}`;
    (fields[name] ??= []).push(issue.message);
  }
  const [first] = Object.entries(fields);
  const message = general ?? (first ? `${first[0]}: ${first[1][0] ?? "not valid."}` : "The body is not a valid alert.");
  throw new KeysmithError("BAD_REQUEST", message, { fields });
}

/** GitHub's feedback format: per token, whether it was one of ours. */
export const ZGithubSecretFeedback = z.array(
  z.object({
    token_hash: z.string().describe("SHA-256 of the token, lowercase hex (the token itself is never sent back)."),
    token_type: z.string(),
    label: z.enum(["true_positive", "false_positive"]),
  }),
);
export type GithubSecretFeedback = z.infer<typeof ZGithubSecretFeedback>;

