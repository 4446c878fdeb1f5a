/** Read one file out of an untrusted zip without trusting its headers: entries and inflated bytes are capped while the work runs, off the event loop. */
import type { Readable } from "node:stream";
import { fromBufferPromise, type Entry, type ZipFile } from "yauzl";

export interface ZipLimits {
  /** The most bytes the file may inflate to; inflating stops as soon as it passes this. */
  maxFileBytes: number;
  /** The most entries the archive may list; nothing is read when it lists more. */
  maxEntries: number;
}

export type ZipRead =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; reason: "no-file" | "too-large" | "lying-size" | "too-many-entries" | "duplicate-file" | "bad-zip" };

type Refusal = Extract<ZipRead, { ok: false }>["reason"];

/**
 * yauzl reads the central directory (the archive's own index, zip64 included) rather than scanning
 * for headers, and inflates through node:zlib's streaming inflate, which runs on libuv's thread
 * pool: the event loop only sees chunks of at most 16 KiB. A declared size only ever refuses early;
 * the bytes that actually come out are counted, and the stream is destroyed the moment they pass
 * the cap, so a zip that claims 100 bytes and inflates to 1 GiB costs about one cap of work.
 */
export async function readZipFile(zip: Uint8Array, name: string, limits: ZipLimits): Promise<ZipRead> {
  let archive: ZipFile;
  try {
    archive = await fromBufferPromise(Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength), {
      lazyEntries: true,
      decodeStrings: true,
      validateEntrySizes: true,
      strictFileNames: false,
    });
  } catch {
    return { ok: false, reason: "bad-zip" };
  }
  try {
    // The count comes from the end-of-archive record, before any entry is read.
    if (archive.entryCount > limits.maxEntries) return { ok: false, reason: "too-many-entries" };
    const found = await findEntry(archive, name);
    if (typeof found === "string") return { ok: false, reason: found };
    if (found.uncompressedSize > limits.maxFileBytes) return { ok: false, reason: "too-large" };
    if (found.compressionMethod !== 0 && found.compressionMethod !== 8) return { ok: false, reason: "bad-zip" };
    return await readCapped(await archive.openReadStreamPromise(found), limits.maxFileBytes);
  } catch {
    return { ok: false, reason: "bad-zip" };
  } finally {
    archive.close();
  }
}

/** The one entry called `name`: refused when it is missing or listed twice (tools disagree on which one counts). */
async function findEntry(archive: ZipFile, name: string): Promise<Entry | Refusal> {
  return new Promise((resolve, reject) => {
    let found: Entry | undefined;
    archive.on("entry", (entry: Entry) => {
      if (entry.fileName === name) {
        if (found !== undefined) return resolve("duplicate-file");
        found = entry;
      }
      archive.readEntry();
    });
    archive.on("end", () => resolve(found ?? "no-file"));
    archive.on("error", reject);
    archive.readEntry();
  });
}

/** Collect a stream's bytes up to `max`; one byte more and the stream is destroyed (stopping the inflate). */
async function readCapped(stream: Readable, max: number): Promise<ZipRead> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      total += buf.length;
      if (total > max) {
        stream.destroy();
        return { ok: false, reason: "too-large" };
      }
      chunks.push(buf);
    }
  } catch (err) {
    // yauzl's own size check: more bytes came out than the entry declared (a lie, caught within `max`).
    if (err instanceof Error && /too many bytes/i.test(err.message)) return { ok: false, reason: "lying-size" };
    return { ok: false, reason: "bad-zip" };
  }
  return { ok: true, bytes: new Uint8Array(Buffer.concat(chunks, total)) };
}
