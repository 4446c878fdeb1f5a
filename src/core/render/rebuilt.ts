/** The notice a sticky comment carries after its hidden record failed its seal (or predated sealing) and was rebuilt. */
import type { Ledger } from "../ledger/types.js";
import type { StickyKind } from "../markers.js";

export function rebuiltNotice(rebuilt: NonNullable<Ledger["rebuilt"]>, kind: StickyKind): string {
  const when = rebuilt.at.slice(0, 10);
  const what =
    kind === "pr"
      ? "Tier-B runs were taken back only where they pass the provenance checks (the Tier-B workflow on the default branch, dispatched by this App for this PR and commit)."
      : "Acceptances recorded there were dropped: a maintainer accepts the contract again with `/accept`.";
  switch (rebuilt.reason) {
    case "tampered":
      return `> ⚠️ The bot's record in this comment was edited by hand (noticed ${when}), so it was ignored and rebuilt from GitHub. ${what}`;
    case "migrated":
      return `<sub>merge-captain's record here predates sealed records; it was rebuilt from GitHub on ${when}.</sub>`;
  }
}
