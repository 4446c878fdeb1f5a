/** GitHub's own OpenAPI description, loaded once: maps requests to route templates and validates JSON bodies like GitHub does. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";

interface OpenApiOperation {
  operationId?: string;
  externalDocs?: { url?: string };
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: Record<string, unknown>;
}

/** One operation of the REST API, e.g. `POST /repos/{owner}/{repo}/check-runs`. */
export interface RouteMatch {
  method: string;
  /** The OpenAPI path template, e.g. `/repos/{owner}/{repo}/pulls/{pull_number}/files`. */
  template: string;
  params: Record<string, string>;
  operation: OpenApiOperation;
}

interface CompiledRoute {
  template: string;
  regex: RegExp;
  names: string[];
  literalSegments: number;
  methods: Record<string, OpenApiOperation>;
}

interface LoadedSpec {
  routes: CompiledRoute[];
  ajv: Ajv;
  validators: Map<OpenApiOperation, ValidateFunction | null>;
}

let loaded: LoadedSpec | undefined;

/** Parameters whose values GitHub accepts with embedded slashes (file paths, branch names). */
const MULTI_SEGMENT_PARAMS = new Set(["path", "ref"]);

function compileTemplate(template: string, methods: Record<string, OpenApiOperation>): CompiledRoute {
  const names: string[] = [];
  let literalSegments = 0;
  const pattern = template
    .split("/")
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (param?.[1] === undefined) {
        literalSegments += 1;
        return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      }
      names.push(param[1]);
      return MULTI_SEGMENT_PARAMS.has(param[1]) ? "(.+)" : "([^/]+)";
    })
    .join("/");
  return { template, regex: new RegExp(`^${pattern}$`), names, literalSegments, methods };
}

/** The 13 MB spec is parsed on first use only and kept for the life of the process. */
function spec(): LoadedSpec {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const file = require.resolve("@octokit/openapi/generated/api.github.com.json");
  const doc = JSON.parse(readFileSync(file, "utf8")) as OpenApiDocument;
  const routes = Object.entries(doc.paths)
    .map(([template, methods]) => compileTemplate(template, methods))
    // More literal segments first, so `/commits/{ref}/check-runs` wins over `/commits/{ref}`.
    .sort((a, b) => b.literalSegments - a.literalSegments || a.names.length - b.names.length);
  // OpenAPI 3.0 is JSON-Schema-ish: `nullable` is understood by ajv, unknown keywords
  // (`example`, `x-github`, …) and formats are ignored rather than rejected.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, validateFormats: false });
  ajv.addSchema({ components: doc.components }, "github-openapi");
  loaded = { routes, ajv, validators: new Map() };
  return loaded;
}

/** Find the operation a request is for; `undefined` when no template matches the path. */
export function matchRoute(
  method: string,
  pathname: string,
): RouteMatch | { template: string; methodMissing: true } | undefined {
  const lower = method.toLowerCase();
  let pathOnly: CompiledRoute | undefined;
  for (const route of spec().routes) {
    const found = route.regex.exec(pathname);
    if (!found) continue;
    const operation = route.methods[lower];
    if (!operation) {
      pathOnly ??= route;
      continue;
    }
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => {
      params[name] = decodeURIComponent(found[i + 1] ?? "");
    });
    return { method: method.toUpperCase(), template: route.template, params, operation };
  }
  return pathOnly ? { template: pathOnly.template, methodMissing: true } : undefined;
}

/**
 * Point `#/components/...` references at the registered document so subschemas compile alone.
 * `nullable` without a `type` (e.g. an issue's `milestone: oneOf [string, integer]`) is OpenAPI 3.0
 * that ajv refuses; it becomes "this, or null".
 */
function rebaseRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rebaseRefs);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] =
      key === "$ref" && typeof value === "string" && value.startsWith("#/")
        ? `github-openapi${value}`
        : rebaseRefs(value);
  }
  if (out["nullable"] === true && out["type"] === undefined) {
    const { nullable: _nullable, ...rest } = out;
    return { anyOf: [rest, { type: "null" }] };
  }
  return out;
}

function validatorFor(operation: OpenApiOperation): ValidateFunction | null {
  const { ajv, validators } = spec();
  const cached = validators.get(operation);
  if (cached !== undefined) return cached;
  const schema = operation.requestBody?.content?.["application/json"]?.schema;
  const fn = schema === undefined ? null : ajv.compile(rebaseRefs(schema) as object);
  validators.set(operation, fn);
  return fn;
}

/** Where GitHub's `documentation_url` for this operation points. */
export function documentationUrl(operation: OpenApiOperation | undefined): string {
  return operation?.externalDocs?.url ?? "https://docs.github.com/rest";
}

function quoted(value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? "undefined" : json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const key of pointer.split("/").slice(1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[key.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}

/** GitHub phrases schema failures like `For 'properties/name', 5 is not a string.`; mimic that. */
function githubPhrase(error: ErrorObject, body: unknown): string {
  const where = `properties${error.instancePath}`.replace(/\/$/, "");
  const value = valueAt(body, error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return `"${String(params["missingProperty"])}" wasn't supplied.`;
    case "type":
      return `For '${where}', ${quoted(value)} is not ${/^[aeiou]/.test(String(params["type"])) ? "an" : "a"} ${String(params["type"])}.`;
    case "enum":
      return `For '${where}', ${quoted(value)} is not a member of ${quoted(params["allowedValues"])}.`;
    case "maxLength":
    case "maxItems":
    case "maxProperties":
      return `For '${where}', ${quoted(value)} is too long (maximum is ${String(params["limit"])}).`;
    case "minLength":
    case "minItems":
      return `For '${where}', ${quoted(value)} is too short (minimum is ${String(params["limit"])}).`;
    default:
      return `For '${where}', ${quoted(value)} ${error.message ?? "is invalid"}.`;
  }
}

/**
 * Validate a JSON body against the operation's requestBody schema.
 * Returns GitHub-style messages (empty when valid or when the operation takes no JSON body).
 */
export function validateRequestBody(operation: OpenApiOperation, body: unknown): string[] {
  const validate = validatorFor(operation);
  if (body === undefined) return operation.requestBody?.required === true && validate ? ["Body wasn't supplied."] : [];
  if (!validate || validate(body)) return [];
  // anyOf/oneOf produce one error per branch plus a summary; GitHub reports the summary first.
  const errors = validate.errors ?? [];
  const messages = errors.map((e) =>
    e.keyword === "oneOf" || e.keyword === "anyOf" ? `No subschema in "${e.keyword}" matched.` : githubPhrase(e, body),
  );
  return [...new Set(messages)];
}
