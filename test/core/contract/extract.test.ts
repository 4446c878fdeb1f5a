import { describe, expect, test } from "@jest/globals";
import { extractContract, MAX_BODY_CHARS, type Extraction } from "../../../src/core/contract/extract.js";
import { aContract, fence, formBody, HEADING, toYaml, workItem } from "./builders.js";
import { narrow } from "../../support/narrow.js";

const yaml = toYaml(aContract());
const issue = { heading: HEADING, source: "issue" } as const;
const file = { heading: HEADING, source: "file" } as const;

function codes(x: Extraction): string[] {
  return x.status === "invalid" ? x.errors.map((e) => e.code) : [];
}

describe("extractContract: where the contract is", () => {
  test("the first yaml fence under the heading, with the fence's line", () => {
    const body = workItem(fence(yaml));
    const x = extractContract(body, issue);
    expect(x).toEqual({ status: "found", yaml: yaml.replace(/\n$/, ""), line: 7, firstLine: 8 });
  });

  test.each([
    ["CRLF line endings", (b: string) => b.replace(/\n/g, "\r\n")],
    ["a byte-order mark", (b: string) => "\uFEFF" + b],
    ["trailing spaces and tabs", (b: string) => b.replace(/\n/g, "  \t\n")],
    [
      "a lower-case heading with extra spaces",
      (b: string) => b.replace(`### ${HEADING}`, "###   agent contract   (yaml, required)"),
    ],
    ["a ```yml fence", (b: string) => b.replace("```yaml", "```yml")],
    ["a ~~~yaml fence", (b: string) => b.replace("```yaml", "~~~yaml").replace(/```(\n\n### Notes)/, "~~~$1")],
  ])("finds the same block despite %s", (_name, change) => {
    const x = extractContract(change(workItem(fence(yaml))), issue);
    expect(narrow(x, "status", "found").yaml).toBe(yaml.replace(/\n$/, ""));
  });

  test("a yaml fence in another section does not count when the heading is there", () => {
    const body = formBody([
      ["Summary", fence("not: the contract")],
      [HEADING, fence(yaml)],
      ["Notes", fence("also: not it")],
    ]);
    const x = extractContract(body, issue);
    expect(x.status === "found" && x.yaml).toBe(yaml.replace(/\n$/, ""));
  });

  test("the first of two yaml fences under the heading wins", () => {
    const x = extractContract(workItem(fence("first: 1") + "\n\n" + fence("second: 2")), issue);
    expect(x.status === "found" && x.yaml).toBe("first: 1");
  });
});

describe("extractContract: what counts as carrying a contract", () => {
  test.each([
    ["a plain issue (issue, default)", "Just a bug report.", issue, "absent"],
    ["a plain issue with one yaml fence (issue, default)", "Repro:\n\n" + fence("a: 1"), issue, "absent"],
    [
      "a plain issue with one yaml fence (issue, all_issues)",
      "Repro:\n\n" + fence(yaml),
      { ...issue, allIssues: true },
      "found",
    ],
    ["a plain issue with no fence (issue, all_issues)", "Just a bug report.", { ...issue, allIssues: true }, "absent"],
    ["a null body", null, issue, "absent"],
    ["a file that is one yaml fence", fence(yaml), file, "found"],
    ["a file that is bare YAML", yaml, file, "found"],
    ["an empty file", "", file, "invalid"],
    ["a file whose only fence is not yaml", "```json\n{}\n```", file, "invalid"],
  ] as const)("%s → %s", (_name, body, opts, status) => {
    expect(extractContract(body, opts).status).toBe(status);
  });

  test("a bare YAML file starts on line 1", () => {
    expect(extractContract(yaml, file)).toMatchObject({ status: "found", line: 1 });
  });
});

describe("extractContract: errors", () => {
  test.each([
    [
      "two yaml fences and no heading (all_issues)",
      fence("a: 1") + "\n\ntext\n\n" + fence("b: 2"),
      { ...issue, allIssues: true },
      "contract.ambiguous",
    ],
    [
      "two yaml fences and no heading (file)",
      fence("a: 1") + "\n\n" + fence("b: 2", "yml"),
      file,
      "contract.ambiguous",
    ],
    ["the heading with no block", workItem("nmoe:\n  issue: 1"), issue, "contract.missing-block"],
    ["the heading with `_No response_`", workItem(""), issue, "contract.missing-block"],
    ["the heading with an unmarked fence", workItem(fence(yaml, "")), issue, "contract.missing-block"],
    ["an unclosed fence", formBody([[HEADING, "```yaml\n" + yaml]]), issue, "contract.unclosed-fence"],
    [
      "an oversize body with the heading",
      workItem(fence(yaml)) + "x".repeat(MAX_BODY_CHARS),
      issue,
      "contract.body-too-large",
    ],
    ["an oversize file", "x".repeat(MAX_BODY_CHARS + 1), file, "contract.body-too-large"],
  ] as const)("%s", (_name, body, opts, code) => {
    expect(codes(extractContract(body, opts))).toEqual([code]);
  });

  test("an oversize plain issue stays silent", () => {
    expect(extractContract("x".repeat(MAX_BODY_CHARS + 1), issue)).toEqual({ status: "absent" });
  });

  test("ambiguity names both blocks and how to fix it", () => {
    const x = extractContract(fence("a: 1") + "\n\n" + fence("b: 2"), file);
    expect(x.status).toBe("invalid");
    if (x.status !== "invalid") return;
    expect(x.errors[0]!.message).toContain("lines 1, 5");
    expect(x.errors[0]!.hint).toContain(`### ${HEADING}`);
  });

  test("an unmarked fence under the heading gets a hint to mark it yaml", () => {
    const x = extractContract(workItem(fence(yaml, "")), issue);
    expect(x.status === "invalid" && x.errors[0]!.hint).toBe("start the block with ```yaml");
  });

  test("an unclosed fence reports the line it opens on", () => {
    const x = extractContract(formBody([[HEADING, "```yaml\n" + yaml]]), issue);
    expect(x).toMatchObject({ status: "invalid", line: 3 });
    expect(x.status === "invalid" && x.errors[0]!.message).toContain("line 3");
  });
});
