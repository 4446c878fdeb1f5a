import { readFileSync } from "node:fs";
import { expect, test } from "@jest/globals";

const root = new URL("../../../", import.meta.url);

test("src/core/schemas/*.generated.ts match schemas/*.schema.json (run `npm run schemas` after editing a schema)", async () => {
  const script = new URL("scripts/gen-schema-types.mjs", root).href;
  const { generate } = (await import(script)) as { generate: () => Promise<Record<string, string>> };
  const outputs = await generate();
  expect(Object.keys(outputs).length).toBe(6);
  for (const [path, text] of Object.entries(outputs)) {
    expect({ path, text: readFileSync(new URL(path, root), "utf8") }).toEqual({ path, text });
  }
});
