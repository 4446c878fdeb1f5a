/**
 * The webhook endpoint's door: a delivery whose signature does not match WEBHOOK_SECRET is refused
 * here with one warning line (the delivery id and event, never the payload or a stack trace),
 * before Probot, which would log the refusal twice as an error with the whole payload.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { verify } from "@octokit/webhooks-methods";

/** GitHub caps webhook payloads at 25 MB; anything larger did not come from GitHub. */
export const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

export interface GateLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

type Handler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => unknown;

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The body as text, or undefined as soon as it is larger than the cap (nothing more is kept). */
function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= max) return void chunks.push(chunk);
      req.off("data", onData);
      resolve(undefined);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Answer and close the connection: the rest of a refused body is never read. */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, error: string): void {
  res.on("finish", () => req.destroy());
  res.writeHead(status, { "content-type": "application/json", connection: "close" }).end(JSON.stringify({ error }));
}

/**
 * Wrap Probot's middleware: POSTs to `path` are read (bounded), their `x-hub-signature-256`
 * checked, and only verified ones handed on, with the body already read (`req.body`, which
 * @octokit/webhooks uses instead of the stream). Everything else passes through untouched.
 */
export function signatureGate(
  handler: Handler,
  opts: { path: string; secret: string; log: GateLog; maxBytes?: number },
): Handler {
  const max = opts.maxBytes ?? MAX_PAYLOAD_BYTES;
  return async (req, res, next) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method !== "POST" || pathname !== opts.path) return handler(req, res, next);
    const fields = {
      id: header(req, "x-github-delivery") ?? null,
      event: header(req, "x-github-event") ?? null,
    };
    const body = await readBody(req, max).catch(() => undefined);
    if (body === undefined) {
      opts.log.warn(fields, `webhook refused: the payload is larger than ${max} bytes`);
      return refuse(req, res, 413, "payload too large");
    }
    const signature = header(req, "x-hub-signature-256");
    const valid = signature !== undefined && (await verify(opts.secret, body, signature).catch(() => false));
    if (!valid) {
      opts.log.warn(
        fields,
        signature === undefined
          ? "webhook refused: no x-hub-signature-256 header (is a webhook secret set in the App settings?)"
          : "webhook refused: the signature does not match WEBHOOK_SECRET (check the secret in the App settings)",
      );
      // 400, as @octokit/webhooks answers: GitHub shows the status on the delivery.
      return refuse(req, res, 400, "signature does not match event payload and secret");
    }
    (req as IncomingMessage & { body?: string }).body = body;
    return handler(req, res, next);
  };
}
