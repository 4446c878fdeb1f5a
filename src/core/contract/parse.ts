/** Turn the contract's YAML text into a schema-valid Contract, with errors in the author's own terms. */
import { fail, ok, pointer, problem, show, type Problem, type Result } from "../problem.js";
import { idKey } from "../ids.js";
import { contractSchema, type Contract } from "../schemas/contract.generated.js";
import { validateAgainst, withoutEchoedRequired } from "../schemas/validate.js";
import { blockValue } from "../markdown/section-block.js";
import { CONTRACT_BLOCK } from "./extract.js";
import { inAuthorHeader, isPlainObject, renameHeader } from "../schemas/header.js";
import { compileRules } from "./rules.js";

export { MAX_BLOCK_BYTES } from "../markdown/section-block.js";

/** The header key the schema knows; a repo's own key is renamed to this before validation. */
export const SCHEMA_HEADER_KEY = "nmoe";

/** Top-level keys of a contract, in the order the template writes them. */
const TOP_LEVEL_KEYS = Object.keys(contractSchema.properties);

export function parseContract(source: string, headerKey: string = SCHEMA_HEADER_KEY): Result<Contract> {
  const header = pointer(headerKey);
  const read = blockValue(CONTRACT_BLOCK, source, {
    tooLargeHint: "keep the contract to scope, gates and a few invariants; move prose to the issue's other sections",
    idPaths: [`${header}/issue`, `${header}/depends_on`, `${header}/depends_on/*`],
  });
  if (!read.ok) return read;
  const value = read.value;

  const names = { author: headerKey, schema: SCHEMA_HEADER_KEY };
  const renamed = isPlainObject(value)
    ? renameHeader(value, names, (key) =>
        problem(
          "schema.unknown-key",
          pointer(key),
          `unknown key ${JSON.stringify(key)} at the top level of the contract`,
          `this repository's contracts use \`${headerKey}:\` as the header key`,
        ),
      )
    : { candidate: value, errors: [] };
  const errors: Problem[] = [...renamed.errors];
  const candidate: unknown = renamed.candidate;
  const schemaErrors = withoutEchoedRequired(
    validateAgainst(contractSchema, candidate).map((p) => inAuthorTerms(p, headerKey)),
  );
  // A `nmoe:` header where the repo expects another key is already reported with the fix.
  const wrongHeader = errors.length > 0;
  errors.push(...schemaErrors.filter((p) => !(wrongHeader && p.code === "schema.required" && p.path === header)));
  if (errors.length > 0) return fail(...errors);
  const contract = candidate as Contract;
  const idErrors = checkDependencies(contract, header);
  if (idErrors.length > 0) return fail(...idErrors);
  const rules = compileRules(contract, headerKey);
  if (!rules.ok) return fail(...rules.errors);
  return ok(contract);
}

/** `1`, `01` and `"01"` are one issue: the schema's uniqueItems cannot see that, and a self-dependency never resolves. */
function checkDependencies(contract: Contract, header: string): Problem[] {
  const errors: Problem[] = [];
  const seen = new Map<string, string>();
  (contract.nmoe.depends_on ?? []).forEach((id, i) => {
    const path = `${header}/depends_on/${i}`;
    const key = idKey(id);
    const earlier = seen.get(key);
    if (key === idKey(contract.nmoe.issue)) {
      errors.push(
        problem(
          "contract.self-dependency",
          path,
          `issue ${show(contract.nmoe.issue)} depends on itself (${show(id)})`,
          "remove it from `depends_on`",
        ),
      );
    } else if (earlier !== undefined) {
      errors.push(
        problem(
          "contract.duplicate-dependency",
          path,
          `${show(id)} names the same issue as ${show(earlier)}`,
          "list each issue once",
        ),
      );
    }
    seen.set(key, id);
  });
  return errors;
}

/** Say "the contract" rather than "the block", and map the schema's `nmoe` key back to the key the author wrote. */
function inAuthorTerms(raw: Problem, headerKey: string): Problem {
  const p = {
    ...raw,
    message: raw.message
      .replace(/^the block\b/, "the contract")
      .replace(/ in the block$/, " at the top level of the contract"),
  };
  return inAuthorHeader(p, { author: headerKey, schema: SCHEMA_HEADER_KEY }, TOP_LEVEL_KEYS);
}
