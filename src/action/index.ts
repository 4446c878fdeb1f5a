/** Entry of the bundled action (`dist-action/index.mjs`): run it on this process's environment and exit with its status, never with a stack trace. */
import { annotation } from "./workflow-commands.js";
import { runAction } from "./main.js";

try {
  process.exitCode = await runAction({ env: process.env, stdout: (text) => void process.stdout.write(text) });
} catch (err) {
  process.stdout.write(
    annotation(
      "error",
      `merge-captain: the gate runner failed (${(err as NodeJS.ErrnoException).code ?? "internal error"})`,
    ),
  );
  process.exitCode = 1;
}
