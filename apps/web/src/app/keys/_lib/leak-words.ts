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

/**
 * At most this many characters of a leak's URL are shown: about one line of
 * a phone's banner, so with the words before it the URL takes two at most.
 * A finder's URL can be 2048 characters (GitHub's point deep into a file).
 */
const SHOWN_LEAK_URL_LENGTH = 40;

// what a reader sees as one character: an emoji or an accented letter is never cut in half
const graphemes = (text: string) => Array.from(new Intl.Segmenter("en", { granularity: "grapheme" }).segment(text), (part) => part.segment);

/**
 * A long leak URL as shown: its host and the start of its path, cut with an
 * ellipsis (the scheme says nothing worth the room), or null when the URL
 * fits as it is.
 */
export function shortLeakUrl(url: string): string | null {
  if (graphemes(url).length <= SHOWN_LEAK_URL_LENGTH) return null;
  let shown = url;
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "https:" || parsed.protocol === "http:") shown = `${parsed.host}${parsed.pathname}${parsed.search}${parsed.hash}`;
  } catch {
    // not a URL: a reporter's text is cut as it is
  }
  return `${graphemes(shown).slice(0, SHOWN_LEAK_URL_LENGTH - 1).join("")}…`;
}
