// `npm ci` (and `npm install`, `npm pack`) in a checkout run this: it builds dist/ so that
// `npx merge-captain` and `npm start` work. A production install (`npm ci --omit=dev`) has no
// TypeScript, so it skips the build and says so instead of failing: production runs a dist/ built
// elsewhere — the Docker image's build stage, or a package built by `npm pack` in a full install.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve("typescript/bin/tsc");
} catch {
  console.error(
    "merge-captain: TypeScript is not installed (a production install), so dist/ is not built here; " +
      "build it with a full `npm ci`, or use the Docker image",
  );
  process.exit(0);
}
const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
process.exit(r.status ?? 1);
