#!/usr/bin/env node
/** The `merge-captain` executable: run the CLI with the real process as its window on the world. */
import { EXIT } from "./io.js";
import { main, processIo } from "./main.js";

main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`merge-captain: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT.usage;
  },
);
