/** The webhook door: bad signatures are refused with one warning line and no payload; good ones reach Probot with their body. */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "@jest/globals";
import { sign } from "@octokit/webhooks-methods";
import { signatureGate } from "../../src/runtime/webhook-gate.js";

const SECRET = "gate-secret";
const PAYLOAD = JSON.stringify({ action: "opened", issue: { body: "a payload text that must never be logged" } });

let server: Server;
let url: string;
const warnings: { fields: Record<string, unknown>; message: string }[] = [];
const reached: { path: string; body: unknown }[] = [];

beforeAll(async () => {
  const gate = signatureGate(
    (req: IncomingMessage & { body?: unknown }, res) => {
      reached.push({ path: req.url ?? "", body: req.body });
      res.writeHead(200).end("ok\n");
    },
    {
      path: "/api/github/webhooks",
      secret: SECRET,
      log: { warn: (fields, message) => warnings.push({ fields, message }) },
      maxBytes: 4096,
    },
  );
  server = createServer((req, res) => void gate(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  warnings.length = 0;
  reached.length = 0;
});

async function deliver(body: string, signature: string | undefined, path = "/api/github/webhooks") {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": "issues",
    "x-github-delivery": "d-1",
  };
  if (signature !== undefined) headers["x-hub-signature-256"] = signature;
  return fetch(url + path, { method: "POST", headers, body });
}

describe("signatureGate", () => {
  test("a correctly signed delivery reaches the handler with its body already read, and nothing is logged", async () => {
    const res = await deliver(PAYLOAD, await sign(SECRET, PAYLOAD));
    expect(res.status).toBe(200);
    expect(reached).toEqual([{ path: "/api/github/webhooks", body: PAYLOAD }]);
    expect(warnings).toEqual([]);
  });

  test.each([
    ["signed with another secret", async () => sign("another secret", PAYLOAD), "does not match WEBHOOK_SECRET"],
    ["no signature", async () => undefined, "no x-hub-signature-256 header"],
    ["a body changed after signing", async () => sign(SECRET, PAYLOAD.replace("opened", "closed")), "does not match"],
  ])(
    "%s: 400, the handler never runs, one warning with the delivery id and event only",
    async (_name, signature, says) => {
      const res = await deliver(PAYLOAD, await signature());
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: "signature does not match event payload and secret" });
      expect(reached).toEqual([]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.fields).toEqual({ id: "d-1", event: "issues" });
      expect(warnings[0]!.message).toContain(says);
      expect(JSON.stringify(warnings)).not.toContain("never be logged");
    },
  );

  test("a payload over the cap is refused (413) without being read to the end", async () => {
    const big = JSON.stringify({ pad: "x".repeat(10_000) });
    const res = await deliver(big, await sign(SECRET, big));
    expect(res.status).toBe(413);
    expect(reached).toEqual([]);
    expect(warnings.map((w) => w.message)).toEqual(["webhook refused: the payload is larger than 4096 bytes"]);
  });

  test.each([
    ["another path", "POST", "/metrics"],
    ["a GET on the webhook path", "GET", "/api/github/webhooks"],
  ])("%s passes through untouched", async (_name, method, path) => {
    const res = await fetch(url + path, { method, ...(method === "POST" ? { body: "{}" } : {}) });
    expect(res.status).toBe(200);
    expect(reached).toEqual([{ path, body: undefined }]);
  });
});
