import { type KeyLeak } from "@keysmith/validators";

import { leakFinder, linkableLeakUrl } from "../_lib/leak-words.ts";

/** Who found a leaked key, and where: a link for GitHub's signed URL, plain text for a reporter's. */
export function LeakWhere({ leak }: { leak: KeyLeak }) {
  const href = linkableLeakUrl(leak);
  return (
    <>
      {leakFinder(leak)}
      {leak.url ? (
        <>
          {" at "}
          {href ? (
            <a href={href} rel="noopener noreferrer nofollow" target="_blank" className="leak-url">{leak.url}</a>
          ) : (
            <span className="leak-url">{leak.url}</span>
          )}
        </>
      ) : null}
    </>
  );
}
