import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { extractContract } from "../../../src/core/contract/extract.js";
import { aContract, fence, HEADING, toYaml } from "./builders.js";
import { narrow } from "../../support/narrow.js";

const yaml = toYaml(aContract()).replace(/\n$/, "");
const contractSection = `### ${HEADING}\n\n${fence(yaml)}`;

/** Prose lines that cannot open a fence or a heading of their own. */
const prose = fc
  .array(fc.stringMatching(/^[A-Za-z0-9 ,.:;!?*_()-]{0,40}$/), { maxLength: 4 })
  .map((ls) => ls.join("\n"));

/** Another section a body may hold: a heading, prose, maybe a fenced block of any language (yaml too). */
const otherSection = fc
  .record({
    level: fc.integer({ min: 1, max: 3 }),
    title: fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,20}$/).filter((t) => !t.toLowerCase().startsWith("agent contract")),
    text: prose,
    block: fc.option(fc.record({ lang: fc.constantFrom("yaml", "yml", "json", "", "sh"), body: prose }), {
      nil: undefined,
    }),
  })
  .map(
    ({ level, title, text, block }) =>
      `${"#".repeat(level)} ${title}\n\n${text}${block ? "\n\n" + fence(block.body, block.lang) : ""}`,
  );

const sections = fc.array(otherSection, { maxLength: 4 });

describe("extractContract properties", () => {
  test("other sections and fences before and after the ### contract section never change what is found", () => {
    fc.assert(
      fc.property(sections, sections, (before, after) => {
        // A level-1/2 heading before the contract would still end sections at ###; after it, only
        // headings at ### or above end the section, which every generated heading is.
        const body = [...before, contractSection, ...after].join("\n\n");
        const x = extractContract(body, { heading: HEADING, source: "issue" });
        expect(narrow(x, "status", "found").yaml).toBe(yaml);
      }),
    );
  });

  test("CRLF and LF bodies give the same result", () => {
    fc.assert(
      fc.property(sections, sections, fc.boolean(), (before, after, withContract) => {
        const body = [...before, ...(withContract ? [contractSection] : []), ...after].join("\n\n");
        const opts = { heading: HEADING, source: "file" } as const;
        expect(extractContract(body.replace(/\n/g, "\r\n"), opts)).toEqual(extractContract(body, opts));
      }),
    );
  });

  test("a BOM and trailing whitespace give the same result", () => {
    fc.assert(
      fc.property(sections, sections, fc.constantFrom(" ", "\t", "  \t"), (before, after, trailing) => {
        const body = [...before, contractSection, ...after].join("\n\n");
        const opts = { heading: HEADING, source: "issue" } as const;
        expect(extractContract("\uFEFF" + body.replace(/\n/g, trailing + "\n"), opts)).toEqual(
          extractContract(body, opts),
        );
      }),
    );
  });

  test("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.boolean(), (body, allIssues) => {
        const x = extractContract(body, { heading: HEADING, source: "issue", allIssues });
        expect(["absent", "found", "invalid"]).toContain(x.status);
      }),
    );
  });
});
