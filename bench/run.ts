/**
 * Runs every benchmark module in bench/ (each exports `bench()`), each in its own Node process, and
 * prints what each reports. A process per benchmark keeps one's leftovers (a server still closing,
 * timers, a grown heap) from slowing the next: the sanitizer ran 15% slower after the burst.
 */
import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";

/** What a benchmark module hands back: a title and the lines it wants printed. */
export interface BenchReport {
  title: string;
  lines: string[];
}

export type Bench = () => Promise<BenchReport>;

function isBench(value: unknown): value is Bench {
  return typeof value === "function";
}

const ONLY = "--only";
/** Marks the report's line among whatever else the benchmark printed. */
const REPORT = "bench-report:";

/** Runs one module's benchmark in this process and prints its report as one marked JSON line. */
async function runOne(file: string): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  const mod = (await import(pathToFileURL(`${here}/${file}`).href)) as Record<string, unknown>;
  const bench = mod["bench"];
  if (!isBench(bench)) return;
  try {
    process.stdout.write(`${REPORT}${JSON.stringify(await bench())}\n`);
  } catch (err) {
    process.stderr.write(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  }
}

export async function runAll(): Promise<number> {
  const here = dirname(fileURLToPath(import.meta.url));
  const self = basename(fileURLToPath(import.meta.url));
  // Benchmarks are found by listing the built folder, so adding one is adding a file.
  const modules = (await readdir(here)).filter((f) => f.endsWith(".js") && f !== self).sort();
  let failed = 0;
  for (const file of modules) {
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(import.meta.url), ONLY, file], {
        maxBuffer: 16 * 1024 * 1024,
      });
      const line = stdout.split("\n").find((l) => l.startsWith(REPORT));
      if (line === undefined) continue;
      const report = JSON.parse(line.slice(REPORT.length)) as BenchReport;
      process.stdout.write(`\n== ${report.title} (${file})\n${report.lines.map((l) => `   ${l}\n`).join("")}`);
    } catch (err) {
      failed++;
      const stderr = (err as { stderr?: unknown }).stderr;
      const why = typeof stderr === "string" && stderr.trim() !== "" ? stderr.trim() : String(err);
      process.stderr.write(`\n== ${file} failed: ${why}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const only = process.argv.indexOf(ONLY);
  if (only !== -1) await runOne(process.argv[only + 1] ?? "");
  else process.exitCode = await runAll();
}
