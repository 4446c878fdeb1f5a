/** The README's API-call tables, as the e2e story tests pin them: `title → [reads, 304s, writes]`. */
import { readFileSync } from "node:fs";

/** The rows between `<!-- <marker>:start -->` and `<!-- <marker>:end -->` (columns: step, event, reads, 304s, writes). */
export function readmeApiTable(marker: string): Map<string, [number, number, number]> {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.split(`<!-- ${marker}:start -->`)[1]?.split(`<!-- ${marker}:end -->`)[0] ?? "";
  const rows = new Map<string, [number, number, number]>();
  for (const line of section.split("\n")) {
    const m = /^\| (.+?) \| `([a-z_.]+)` \| (\d+) \| (\d+) \| (\d+) \|$/.exec(line);
    if (m) rows.set(m[1]!, [Number(m[3]), Number(m[4]), Number(m[5])]);
  }
  return rows;
}
