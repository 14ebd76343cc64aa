/**
 * JSON.parse that also accepts a trailing comma before `}` or `]`, as in the
 * documented curl example. Commas inside strings are left alone.
 */
export function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (strictError) {
    const relaxed = withoutTrailingCommas(text);
    if (relaxed === text) throw strictError;
    return JSON.parse(relaxed);
  }
}

function withoutTrailingCommas(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charAt(i);
    if (inString) {
      out += char;
      if (char === "\\") {
        out += text.charAt(i + 1);
        i += 1;
      } else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    if (char === ",") {
      let j = i + 1;
      while (j < text.length && /\s/.test(text.charAt(j))) j += 1;
      if (text.charAt(j) === "}" || text.charAt(j) === "]") continue;
    }
    out += char;
  }
  return out;
}
