/** Runs every benchmark module in bench/ (each exports `bench()`), one after another, and prints what each reports. */
import { readdir } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** What a benchmark module hands back: a title and the lines it wants printed. */
export interface BenchReport {
  title: string;
  lines: string[];
}

export type Bench = () => Promise<BenchReport>;

function isBench(value: unknown): value is Bench {
  return typeof value === "function";
}

export async function runAll(): Promise<number> {
  const here = dirname(fileURLToPath(import.meta.url));
  const self = basename(fileURLToPath(import.meta.url));
  // Benchmarks are found by listing the built folder, so adding one is adding a file.
  const modules = (await readdir(here)).filter((f) => f.endsWith(".js") && f !== self).sort();
  let failed = 0;
  for (const file of modules) {
    const mod = (await import(pathToFileURL(`${here}/${file}`).href)) as Record<string, unknown>;
    const bench = mod["bench"];
    if (!isBench(bench)) continue;
    try {
      const report = await bench();
      process.stdout.write(`\n== ${report.title} (${file})\n${report.lines.map((l) => `   ${l}\n`).join("")}`);
    } catch (err) {
      failed++;
      process.stderr.write(`\n== ${file} failed: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await runAll();
}
