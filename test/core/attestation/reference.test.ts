import { expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { readAttestation } from "../../../src/core/attestation/read.js";
import { needsNmoeReference } from "../../support/requirements.js";

const reference = needsNmoeReference(["pull_request_template.md"], "the nmoe reference PR template tests");

reference.describe("the nmoe reference PR template", () => {
  const body = reference.available ? readFileSync(reference.path("pull_request_template.md"), "utf8") : "";
  const opts = { heading: "PR Attestation", headerKey: "nmoe_pr" };

  test("unedited, it is one 'unedited template' error", () => {
    const r = readAttestation(body, opts);
    expect(r.status === "invalid" ? r.errors.map((e) => e.code) : r).toEqual(["attestation.unedited-template"]);
  });

  test("filled in, it is valid", () => {
    const filled = body
      .replace("pr_sha: <sha>", "pr_sha: 9f8e7d6c5b4a39281706f5e4d3c2b1a098765432")
      .replace("baseline_sha: <sha>", "baseline_sha: 1b2c3d4e5f60718293a4b5c6d7e8f90112233445")
      .replace(/: <number>/g, ": 1.5")
      .replace("status: pass|fail", "status: pass");
    const r = readAttestation(filled, opts);
    expect(r.status === "valid" ? r.attestation.nmoe_pr.issue : r).toBe("03a");
  });
});
