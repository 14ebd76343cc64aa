import { type RequestClient } from "@keysmith/auth";
import { type GithubSecretAlert, type GithubSecretFeedback } from "@keysmith/validators";

import { revokeLeakedKeys } from "./revoke-leaked-keys.ts";

/**
 * A secret-scanning alert from GitHub (its signature already checked):
 * revokes every live key among the matches, and labels each match for
 * GitHub's feedback: true_positive when the token is (or was) a key of this
 * Keysmith, false_positive otherwise. Tokens go back as their SHA-256, never
 * as themselves.
 */
export async function handleGithubAlert({ alert, client, now }: { alert: GithubSecretAlert; client: RequestClient; now: Date }): Promise<GithubSecretFeedback> {
  const { hashes, existing } = await revokeLeakedKeys({
    source: "github",
    found: alert.map((match) => ({ key: match.token, url: match.url ?? null, location: match.source ?? null })),
    now,
    client,
  });
  const answered = new Set<string>();
  const feedback: GithubSecretFeedback = [];
  alert.forEach((match, i) => {
    const hash = hashes[i] as string;
    if (answered.has(hash)) return;
    answered.add(hash);
    feedback.push({ token_hash: hash, token_type: match.type, label: existing.has(hash) ? "true_positive" : "false_positive" });
  });
  return feedback;
}
