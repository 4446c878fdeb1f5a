// Node module hooks for child processes in tests: run the TypeScript sources as they are (no build
// step), by mapping `./x.js` imports to `./x.ts` when that file exists and transpiling it on load.
// Transpiled files are kept in node_modules/.cache by content hash, so a second start is quick.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

const CACHE = fileURLToPath(new URL("../../node_modules/.cache/merge-captain-ts/", import.meta.url));
let ts;

export async function resolve(specifier, context, next) {
  const parent = context.parentURL;
  if (
    (specifier.startsWith("./") || specifier.startsWith("../")) &&
    specifier.endsWith(".js") &&
    parent?.startsWith("file:") &&
    !parent.includes("/node_modules/")
  ) {
    const candidate = fileURLToPath(new URL(specifier, parent)).replace(/\.js$/, ".ts");
    if (existsSync(candidate)) return { url: pathToFileURL(candidate).href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return next(url, context);
  const fileName = fileURLToPath(url);
  const text = await readFile(fileName, "utf8");
  const cached = `${CACHE}${createHash("sha256").update(fileName).update("\0").update(text).digest("hex")}.js`;
  if (existsSync(cached)) return { format: "module", source: await readFile(cached, "utf8"), shortCircuit: true };
  ts ??= (await import("typescript")).default;
  const { outputText } = ts.transpileModule(text, {
    fileName,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      sourceMap: false,
    },
  });
  mkdirSync(CACHE, { recursive: true });
  // Written aside and renamed: a process starting at the same time never reads half a file.
  const partial = `${cached}.${process.pid}.tmp`;
  await writeFile(partial, outputText);
  await rename(partial, cached);
  return { format: "module", source: outputText, shortCircuit: true };
}
