/** What a route handler receives and returns; handlers never touch sockets. */
import type { IncomingHttpHeaders } from "node:http";
import type { FakeGitHubState, FakeRepo, FakeUser } from "../state.js";
import { paginate } from "../pagination.js";

export interface BaseRequest {
  world: FakeGitHubState;
  /** Path parameters from the OpenAPI template, already URL-decoded. */
  params: Record<string, string>;
  url: URL;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined when none was sent). */
  body: unknown;
  /** Who is calling: the app's bot user for installation tokens. */
  actor: FakeUser;
  documentationUrl: string;
}

export interface RouteRequest extends BaseRequest {
  /** The `{owner}/{repo}` of the path, resolved (the server answers 404 before the handler when missing). */
  repo: FakeRepo;
}

export interface Reply {
  status: number;
  json?: unknown;
  /** A non-JSON body (raw file contents, zip bytes). */
  raw?: Uint8Array | string;
  headers?: Record<string, string>;
}

/** How a route authenticates: app routes take the app's JWT, everything else an installation token. */
export type Route =
  | { auth: "app-jwt" | "installation-token"; scope: "global"; handle: (req: BaseRequest) => Reply }
  | { auth: "installation-token"; scope: "repo"; handle: (req: RouteRequest) => Reply };

export function repoRoute(handle: (req: RouteRequest) => Reply): Route {
  return { auth: "installation-token", scope: "repo", handle };
}

export function globalRoute(auth: "app-jwt" | "installation-token", handle: (req: BaseRequest) => Reply): Route {
  return { auth, scope: "global", handle };
}

/** GitHub's error body: `{message, documentation_url, status}`. */
export function failure(
  req: Pick<RouteRequest, "documentationUrl">,
  status: number,
  message: string,
  extra: Record<string, unknown> = {},
): Reply {
  return { status, json: { message, documentation_url: req.documentationUrl, status: String(status), ...extra } };
}

export function notFound(req: Pick<RouteRequest, "documentationUrl">): Reply {
  return failure(req, 404, "Not Found");
}

/** GitHub's 422 for semantic validation: `Invalid request.\n\n<reason>` or `Validation Failed` with errors. */
export function invalid(req: Pick<RouteRequest, "documentationUrl">, ...reasons: string[]): Reply {
  return failure(req, 422, `Invalid request.\n\n${reasons.join("\n")}`);
}

export function validationFailed(
  req: Pick<RouteRequest, "documentationUrl">,
  errors: Record<string, unknown>[],
): Reply {
  return failure(req, 422, "Validation Failed", { errors });
}

/** A JSON array answer paginated GitHub-style; `toJson` runs only for the items on the page. */
export function pagedArray<T>(req: BaseRequest, all: readonly T[], toJson: (item: T) => unknown, cap?: number): Reply {
  const page = paginate(all, req.url, cap);
  return {
    status: 200,
    json: page.items.map(toJson),
    ...(page.link === undefined ? {} : { headers: { link: page.link } }),
  };
}

/** A wrapped list (`{total_count, <key>: [...]}`) paginated GitHub-style. */
export function pagedObject<T>(req: BaseRequest, key: string, all: readonly T[], toJson: (item: T) => unknown): Reply {
  const page = paginate(all, req.url);
  return {
    status: 200,
    json: { total_count: all.length, [key]: page.items.map(toJson) },
    ...(page.link === undefined ? {} : { headers: { link: page.link } }),
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The JSON body as an object (the OpenAPI check already ran, so shape errors here are the fake's bugs). */
export function bodyOf(req: BaseRequest): Record<string, unknown> {
  return isRecord(req.body) ? req.body : {};
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function intParam(req: BaseRequest, name: string): number {
  const raw = req.params[name] ?? "";
  return /^\d+$/.test(raw) ? Number(raw) : NaN;
}
