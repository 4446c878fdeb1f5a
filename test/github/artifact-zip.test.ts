import { monitorEventLoopDelay } from "node:perf_hooks";
import { inflateRawSync } from "node:zlib";
import { describe, expect, test } from "@jest/globals";
import { strToU8, Zip, ZipDeflate, ZipPassThrough, zipSync } from "fflate";
import { readZipFile, type ZipLimits } from "../../src/github/artifact-zip.js";
import { bombStream, MIB, zipAround } from "../../bench/zip-bombs.js";

const NAME = "tier_b_results.json";
const LIMITS: ZipLimits = { maxFileBytes: 1024 * 1024, maxEntries: 1000 };

/** A zip written the streaming way (sizes in data descriptors after each entry, as upload tools do). */
function streamedZip(files: Array<[string, Uint8Array, "deflate" | "store"]>): Uint8Array {
  const parts: Uint8Array[] = [];
  const zip = new Zip((err, chunk) => {
    if (err) throw err;
    parts.push(chunk);
  });
  for (const [name, data, how] of files) {
    const entry = how === "deflate" ? new ZipDeflate(name) : new ZipPassThrough(name);
    zip.add(entry);
    entry.push(data, true);
  }
  zip.end();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const json = strToU8('{"gates":[]}');
const text = (r: Awaited<ReturnType<typeof readZipFile>>): string | undefined =>
  r.ok ? new TextDecoder().decode(r.bytes) : undefined;

describe("readZipFile: the file when the zip is what it claims", () => {
  test.each<[string, () => Uint8Array]>([
    ["deflated (zipSync)", () => zipSync({ [NAME]: json })],
    ["stored", () => zipSync({ [NAME]: json }, { level: 0 })],
    ["among other files", () => zipSync({ "a.txt": strToU8("a"), [NAME]: json, "b/c.txt": strToU8("c") })],
    [
      "streamed with data descriptors",
      () =>
        streamedZip([
          ["log.txt", strToU8("x".repeat(5000)), "deflate"],
          [NAME, json, "deflate"],
        ]),
    ],
    ["streamed and stored", () => streamedZip([[NAME, json, "store"]])],
    ["exactly at the cap", () => zipSync({ [NAME]: new Uint8Array(LIMITS.maxFileBytes).fill(0x20) })],
  ])("%s", async (_name, make) => {
    const r = await readZipFile(make(), NAME, LIMITS);
    expect(r.ok).toBe(true);
    // The file at the cap is all spaces; every other case carries the results JSON.
    expect(_name === "exactly at the cap" || text(r) === '{"gates":[]}').toBe(true);
  });
});

describe("readZipFile: refused, with the reason, whatever the headers claim", () => {
  test("the bomb builder makes what it says (checked once, on a small one)", () => {
    expect(inflateRawSync(bombStream(3)).length).toBe(3 * MIB);
  });

  test.each<[string, () => Uint8Array, string]>([
    ["an entry claiming 100 bytes that inflates to 1 GiB", () => zipAround(NAME, bombStream(1024), 100), "lying-size"],
    ["the same, streamed", () => zipAround(NAME, bombStream(1024), 100, true), "lying-size"],
    ["an entry claiming the cap that inflates to 1 GiB", () => zipAround(NAME, bombStream(1024), MIB), "lying-size"],
    ["an entry that admits to 1 GiB", () => zipAround(NAME, bombStream(1024), 1024 * MIB), "too-large"],
    ["a small bomb that tells the truth", () => zipAround(NAME, bombStream(1), MIB), "ok"],
    [
      "an honest entry one byte over the cap",
      () => zipSync({ [NAME]: new Uint8Array(LIMITS.maxFileBytes + 1).fill(0x20) }),
      "too-large",
    ],
    ["a stored entry over the cap", () => zipSync({ [NAME]: new Uint8Array(2 * MIB) }, { level: 0 }), "too-large"],
    [
      "more entries than allowed",
      () => zipSync(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`f${i}`, json]))),
      "too-many-entries",
    ],
    [
      "the file twice",
      () =>
        streamedZip([
          [NAME, json, "deflate"],
          [NAME, strToU8('{"gates":["x"]}'), "deflate"],
        ]),
      "duplicate-file",
    ],
    ["no such file", () => zipSync({ "other.json": json }), "no-file"],
    ["a truncated archive", () => zipAround(NAME, bombStream(4), 100).subarray(0, 200), "bad-zip"],
    ["corrupt deflate data", () => corrupt(zipSync({ [NAME]: strToU8("z".repeat(10_000)) })), "bad-zip"],
  ])("%s", async (_name, make, reason) => {
    const r = await readZipFile(make(), NAME, LIMITS);
    expect(r.ok ? "ok" : r.reason).toBe(reason);
  });

  test("a lying bomb is refused without holding the event loop", async () => {
    const bomb = zipAround(NAME, bombStream(1024), 100);
    expect(bomb.length).toBeLessThan(10 * MIB); // within the download cap: only the inflate cap stops it
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const r = await readZipFile(bomb, NAME, LIMITS);
    delay.disable();
    expect(r).toEqual({ ok: false, reason: "lying-size" });
    // Inflating all of it synchronously took seconds; capped on the thread pool, the loop never waits long.
    expect(delay.max / 1e6).toBeLessThan(100);
  });
});

/** Flip bytes in the middle of the first entry's data so that inflating it fails. */
function corrupt(zip: Uint8Array): Uint8Array {
  const out = zip.slice();
  const nameLength = out[26]! | (out[27]! << 8);
  const start = 30 + nameLength;
  for (let i = start; i < start + 8; i++) out[i] = 0xff;
  return out;
}
