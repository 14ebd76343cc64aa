/** Small helpers for `pnpm soak`'s report: percentiles, numbers and plain-text tables. */

/** The q-quantile (0..1) of `values` (nearest rank); NaN when there are none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

export const num = (value: number, digits = 0): string =>
  Number.isFinite(value) ? value.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "-";

export const ms = (value: number): string => (Number.isFinite(value) ? `${num(value, value < 10 ? 1 : 0)} ms` : "-");

/** A plain-text table: the first row is the header; columns whose cells look numeric are right-aligned. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  const numeric: boolean[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  for (let i = 0; i < widths.length; i += 1) {
    numeric[i] = rows.slice(1).every((row) => /^[-+]?[\d,.]*\d(?:\s?(?:ms|%|s))?$|^-$|^$/.test(row[i] ?? ""));
  }
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const [header, ...body] = rows;
  if (!header) return "";
  return [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...body.map(line)].join("\n");
}

/** The same rows as a Markdown table, for docs/performance.md. */
export function markdownTable(rows: readonly (readonly string[])[]): string {
  const [header, ...body] = rows;
  if (!header) return "";
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...body.map((row) => `| ${row.join(" | ")} |`)].join("\n");
}
