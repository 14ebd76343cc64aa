import { type KeyLeak } from "@keysmith/validators";

import { leakFinder, linkableLeakUrl, shortLeakUrl } from "../_lib/leak-words.ts";

/** Who found a leaked key, and where: a link for GitHub's signed URL, plain text for a reporter's. */
export function LeakWhere({ leak }: { leak: KeyLeak }) {
  if (!leak.url) return <>{leakFinder(leak)}</>;
  const href = linkableLeakUrl(leak);
  const short = shortLeakUrl(leak.url);
  // a long URL filled a phone's screen: it shows shortened, whole on hover (title) and to screen readers
  const text = short === null ? leak.url : (
    <>
      <span aria-hidden="true">{short}</span>
      <span className="visually-hidden">{leak.url}</span>
    </>
  );
  const title = short === null ? undefined : leak.url;
  return (
    <>
      {leakFinder(leak)}
      {" at "}
      {href ? (
        <a href={href} rel="noopener noreferrer nofollow" target="_blank" className="leak-url" title={title}>{text}</a>
      ) : (
        <span className="leak-url" title={title}>{text}</span>
      )}
    </>
  );
}
