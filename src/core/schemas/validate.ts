/** Validate a value against one of our JSON Schemas and turn ajv's errors into Problems with fixes. */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { problem, show, type Problem } from "../problem.js";
import { closest, didYouMean } from "../text/closest.js";

// `verbose` gives each error its parentSchema: schemaPath is relative to a $ref's target, so it
// cannot be walked from the root to find the keys an object allows.
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });

const compiled = new WeakMap<object, ValidateFunction>();

function compile(schema: object): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

/** Read the value at a JSON pointer (ajv's instancePath). */
function valueAt(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const raw of path.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The schema object holding the failed keyword (present because ajv runs with `verbose`). */
function parentOf(err: ErrorObject): Record<string, unknown> | undefined {
  const parent: unknown = err.parentSchema;
  return parent && typeof parent === "object" ? (parent as Record<string, unknown>) : undefined;
}

/** `/gates/required/0` → `` `gates.required[0]` ``: how an author would name the spot. */
function describePath(path: string): string {
  if (path === "") return "the block";
  const parts = path
    .split("/")
    .slice(1)
    .map((seg) => seg.replace(/~1/g, "/").replace(/~0/g, "~"));
  return "`" + parts.map((seg, i) => (/^\d+$/.test(seg) ? `[${seg}]` : (i === 0 ? "" : ".") + seg)).join("") + "`";
}

function toProblem(err: ErrorObject, root: unknown): Problem | undefined {
  const path = err.instancePath;
  const value = valueAt(root, path);
  const where = describePath(path);
  switch (err.keyword) {
    case "additionalProperties": {
      const key = String((err.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((parentOf(err)?.properties as object | undefined) ?? {});
      const near = didYouMean(key, known);
      const list = known.length > 0 ? `known keys here: ${known.map((k) => "`" + k + "`").join(", ")}` : "remove it";
      return problem(
        "schema.unknown-key",
        `${path}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`,
        `unknown key ${show(key)} in ${where}`,
        near ?? list,
      );
    }
    case "required": {
      const key = String((err.params as { missingProperty: string }).missingProperty);
      return problem(
        "schema.required",
        `${path}/${key}`,
        `${where} is missing the required key \`${key}\``,
        `add \`${key}:\``,
      );
    }
    case "enum": {
      const allowed = (err.params as { allowedValues: unknown[] }).allowedValues;
      const near = typeof value === "string" ? didYouMean(value, allowed.map(String)) : undefined;
      return problem(
        "schema.enum",
        path,
        `${where} is ${show(value)}, which is not one of ${allowed.map((a) => show(a)).join(", ")}`,
        near ?? `use one of ${allowed.map(String).join(" | ")}`,
      );
    }
    case "type": {
      const expected = String((err.params as { type: string | string[] }).type);
      return problem(
        "schema.type",
        path,
        `${where} is ${show(value)} (${value === null ? "null" : Array.isArray(value) ? "a list" : typeof value}), expected ${expected.replace(",", " or ")}`,
        hintForType(expected),
      );
    }
    case "pattern": {
      // A described pattern (`An issue id as the author wrote it (…)`) reads better than a regex.
      const description = parentOf(err)?.description;
      const regex = (err.params as { pattern: string }).pattern;
      const hint =
        typeof description === "string"
          ? `expected ${description.charAt(0).toLowerCase()}${description.slice(1).replace(/\.$/, "")}; it must match ${regex}`
          : `it must match ${regex}`;
      return problem("schema.pattern", path, `${where} is ${show(value)}, which is not in the expected form`, hint);
    }
    case "maxItems":
    case "minItems":
    case "maxLength":
    case "minLength":
    case "maxProperties":
    case "minimum":
    case "maximum": {
      const limit = (err.params as { limit: number }).limit;
      return problem(
        `schema.${err.keyword}`,
        path,
        `${where} ${err.message ?? "is out of bounds"}`,
        boundHint(err.keyword, limit),
      );
    }
    case "uniqueItems":
      return problem("schema.duplicate", path, `${where} lists the same entry twice`, "remove the duplicate entry");
    case "propertyNames":
      return undefined; // reported by the inner pattern error, which names the key
    case "anyOf":
    case "oneOf":
      return undefined; // the branch errors say more
    default:
      return problem(`schema.${err.keyword}`, path, `${where} ${err.message ?? "is invalid"}`);
  }
}

function hintForType(expected: string): string {
  if (expected.includes("array")) return "write a YAML list, e.g. `[a, b]` or one `- item` per line";
  if (expected.includes("object")) return "write a mapping of `key: value` lines, indented under this key";
  if (expected.includes("string")) return "write a single value on the same line";
  if (expected.includes("number") || expected.includes("integer")) return "write a plain number without quotes";
  return `write a ${expected}`;
}

function boundHint(keyword: string, limit: number): string {
  switch (keyword) {
    case "maxItems":
      return `list at most ${limit} entries`;
    case "minItems":
      return `list at least ${limit} entr${limit === 1 ? "y" : "ies"}`;
    case "maxLength":
      return `shorten it to at most ${limit} characters`;
    case "minLength":
      return "it must not be empty";
    case "maxProperties":
      return `use at most ${limit} keys`;
    case "minimum":
      return `use a value ≥ ${limit}`;
    default:
      return `use a value ≤ ${limit}`;
  }
}

/** Errors from the propertyNames keyword carry the bad key in params.propertyName; name it. */
function propertyNameProblem(err: ErrorObject): Problem | undefined {
  // ajv puts the offending key on the inner error itself, not in its params.
  const name = err.propertyName ?? (err.params as { propertyName?: string }).propertyName;
  if (name === undefined) return undefined;
  return problem(
    "schema.key",
    `${err.instancePath}/${name}`,
    `the key ${show(name)} is not a valid name here`,
    "use letters, digits and `_ . : / -` only",
  );
}

/** Validate; return the problems (empty when valid), de-duplicated and in document order. */
export function validateAgainst(schema: object, value: unknown): Problem[] {
  const fn = compile(schema);
  if (fn(value)) return [];
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const err of fn.errors ?? []) {
    // `anyOf: [X, null]` reports both branches; the null branch only adds noise.
    if (
      err.keyword === "type" &&
      (err.params as { type?: string }).type === "null" &&
      err.schemaPath.includes("/anyOf/")
    )
      continue;
    const p = err.propertyName !== undefined ? propertyNameProblem(err) : toProblem(err, value);
    if (!p) continue;
    const key = p.path + "\u0000" + p.message;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  if (out.length === 0)
    out.push(problem("schema.invalid", "", "the block does not match its schema", "compare it with the template"));
  return withoutEchoedRequired(out);
}

/**
 * A misspelt key (`scoep`) also makes the real key (`scope`) missing. Report only the misspelling,
 * whose hint already names the fix; the "missing `scope`" error would send the author the wrong way.
 */
export function withoutEchoedRequired(problems: readonly Problem[]): Problem[] {
  const parentOfPath = (path: string): string => path.slice(0, path.lastIndexOf("/"));
  const lastKey = (path: string): string =>
    path
      .slice(path.lastIndexOf("/") + 1)
      .replace(/~1/g, "/")
      .replace(/~0/g, "~");
  const unknown = problems.filter((p) => p.code === "schema.unknown-key");
  return problems.filter((p) => {
    if (p.code !== "schema.required") return true;
    const key = lastKey(p.path);
    return !unknown.some(
      (u) => parentOfPath(u.path) === parentOfPath(p.path) && closest(lastKey(u.path), [key]).length > 0,
    );
  });
}
