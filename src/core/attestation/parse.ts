/** Turn the attestation's YAML text into a schema-valid Attestation, placeholders first, errors in the author's terms. */
import { fail, ok, pointer, problem, type Problem, type Result } from "../problem.js";
import { attestationSchema, type Attestation } from "../schemas/attestation.generated.js";
import { validateAgainst } from "../schemas/validate.js";
import { blockValue } from "../markdown/section-block.js";
import { ATTESTATION_BLOCK } from "./extract.js";
import { inAuthorHeader, isPlainObject, renameHeader } from "../schemas/header.js";
import { findPlaceholders } from "./placeholders.js";

/** The header key the schema knows; a repo's own key is renamed to this before validation. */
export const SCHEMA_HEADER_KEY = "nmoe_pr";

const TOP_LEVEL_KEYS = Object.keys(attestationSchema.properties);

export function parseAttestation(source: string, headerKey: string = SCHEMA_HEADER_KEY): Result<Attestation> {
  const header = pointer(headerKey);
  const read = blockValue(ATTESTATION_BLOCK, source, {
    tooLargeHint: "keep the attestation to the template's fields; put notes in the PR's other sections",
    // A short SHA of digits (`pr_sha: 1234567`) is a number to YAML too.
    idPaths: [`${header}/issue`, `${header}/pr_sha`, `${header}/baseline_sha`],
  });
  if (!read.ok) return read;
  const value = read.value;

  if (!isPlainObject(value)) {
    return fail(
      problem(
        "schema.type",
        "",
        "the attestation is not a mapping of `key: value` lines",
        `start the block with \`${headerKey}:\` as in the PR template`,
      ),
    );
  }
  const placeholders = findPlaceholders(value, headerKey);
  if (placeholders.covered.includes("")) return fail(...placeholders.errors);

  const renamed = renameHeader(value, { author: headerKey, schema: SCHEMA_HEADER_KEY }, (key) =>
    problem(
      "schema.unknown-key",
      pointer(key),
      `unknown key ${JSON.stringify(key)} in the block`,
      `this repository's attestations use \`${headerKey}:\` as the header key`,
    ),
  );
  const errors: Problem[] = [...placeholders.errors, ...renamed.errors];
  const candidate = renamed.candidate;
  const covered = (path: string): boolean => placeholders.covered.some((c) => path === c || path.startsWith(c + "/"));
  const schemaErrors = validateAgainst(attestationSchema, candidate)
    .map((p) => inAuthorTerms(p, headerKey))
    // A placeholder already explains why this value is wrong; its type error would only repeat it.
    .filter((p) => !covered(p.path));
  errors.push(...schemaErrors);
  if (errors.length > 0) return fail(...errors);
  return ok(candidate as unknown as Attestation);
}

/** Map a problem about the schema's `nmoe_pr` key back to the key the author wrote. */
function inAuthorTerms(raw: Problem, headerKey: string): Problem {
  const p = inAuthorHeader(raw, { author: headerKey, schema: SCHEMA_HEADER_KEY }, TOP_LEVEL_KEYS);
  if (p.code === "schema.required" && p.path === pointer(headerKey)) {
    return problem(
      p.code,
      p.path,
      `the attestation has no \`${headerKey}:\` header`,
      `start the block with \`${headerKey}:\` as in the PR template`,
    );
  }
  return p;
}
