// `node --import ./test/support/ts-register.mjs src/server.ts`: the real server from its sources.
import { register } from "node:module";

register("./ts-hooks.mjs", import.meta.url);
