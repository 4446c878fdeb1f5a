/** Problems rendered for people: where, what, and how to fix it. */
import type { Problem } from "../problem.js";
import { bullets, code, prose } from "./markdown.js";

/** Pointer `/nmoe/depends_on/0` shown as `nmoe.depends_on[0]`. */
export function fieldName(path: string): string {
  if (path === "") return "";
  return path
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc === "" ? seg : `${acc}.${seg}`), "");
}

export function problemLine(p: Problem): string {
  const field = fieldName(p.path);
  const where = field === "" ? "" : `${code(field)}: `;
  const fix = p.hint ? ` — ${prose(p.hint)}` : "";
  return `${where}${prose(p.message)}${fix}`;
}

export function problemList(problems: readonly Problem[], max = 30): string {
  return bullets(problems.map(problemLine), max);
}
