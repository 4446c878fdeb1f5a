/** `merge-captain <command>`: finding the command (with a suggestion for a typo) and writing to a pipe that closes early. */
import { Writable } from "node:stream";
import { describe, expect, test } from "@jest/globals";
import { main, pipeWriter } from "../../src/cli/main.js";
import { fakeIo } from "./fake-io.js";

describe("merge-captain <command>", () => {
  test.each([
    ["chek", "; did you mean `check`?"],
    ["gate", "; did you mean `gates`?"],
    ["santize", "; did you mean `sanitize`?"],
    ["atestation", "; did you mean `attestation`?"],
    ["xyzzy", ""],
  ])("an unknown command %s: exit 2, a suggestion when one is close, then the help", async (name, hint) => {
    const f = fakeIo();
    expect(await main([name], f.io)).toBe(2);
    expect(f.stderr()).toMatch(
      new RegExp(`^merge-captain: unknown command "${name}"${hint.replace(/[`?]/g, "\\$&")}\n\nmerge-captain — `),
    );
    expect(f.stdout()).toBe("");
  });
});

describe("pipeWriter: output into a pipe whose reader has gone (`| head`)", () => {
  /** A stream whose reader closed after `accepted` writes, failing the next one with EPIPE as a real pipe does. */
  function closingPipe(accepted: number) {
    const written: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (written.length >= accepted) return done(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
        written.push(chunk.toString());
        done();
      },
    });
    return { stream, written };
  }

  const tick = () => new Promise((resolve) => setImmediate(resolve));

  test.each([
    // `head -1`: the reader is gone after the first write; later writes fail with EPIPE, then are not even tried.
    ["closed after one write", 1, ["first\n", "second\n", "third\n"], ["first\n"]],
    ["open all along", 10, ["a", "b", "c"], ["a", "b", "c"]],
  ])("%s: what reaches the reader, with no uncaught error", async (_name, accepted, writes, received) => {
    const { stream, written } = closingPipe(accepted);
    const write = pipeWriter(stream);
    for (const text of writes) {
      expect(() => write(text)).not.toThrow();
      await tick();
    }
    expect(written).toEqual(received);
  });
});
