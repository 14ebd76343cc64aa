import { type KeyLeak } from "@keysmith/validators";

/** "GitHub secret scanning found it in a commit" / "Someone reported it": how Keysmith learned of a leak, as a clause. */
export function leakFinder(leak: Pick<KeyLeak, "source" | "location">): string {
  if (leak.source === "report") return "Someone reported it as leaked";
  const where = leak.location ? ` (${leak.location.replaceAll("_", " ")})` : "";
  return `GitHub secret scanning found it in public${where}`;
}

/**
 * The leak's URL as a link only when GitHub sent it (its alerts are signed)
 * and it is http(s); a reported URL is anyone's text, so it is shown, never
 * linked, and a javascript: or data: URL is never a link at all.
 */
export function linkableLeakUrl(leak: Pick<KeyLeak, "source" | "url">): string | null {
  if (leak.source !== "github" || !leak.url) return null;
  try {
    const url = new URL(leak.url);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}
