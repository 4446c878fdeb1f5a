/**
 * Vendor credentials that announce themselves with a literal prefix (`ghp_`, `hf_`, `sk-ant-`…),
 * as data: one row per family, from gitleaks' default rules and GitHub secret scanning's public
 * patterns. One pass over a text finds the candidates of every family at once.
 */
import { around, matchStarts } from "./anchors.js";
import type { Rule, RuleContext, Span } from "./rules.js";

export interface TokenFamily {
  /** Rule id: placeholders say `[redacted:<id>]`. */
  id: string;
  description: string;
  source: string;
  /** Every token of the family starts with one of these (case-sensitive). */
  prefixes: readonly string[];
  /** The whole token as a regex source that starts with one of the prefixes (run sticky at the candidate). */
  pattern: string;
  /** Characters that may not come right before the token (a longer word is not this token). */
  notAfter?: string;
  /** Extra check on the matched token. */
  accept?: (token: string) => boolean;
}

const B32 = "A-Z2-7";
const ALNUM = "A-Za-z0-9";
/** Where a token ends: not followed by more token characters. */
const END = "(?![A-Za-z0-9_-])";

export const TOKEN_FAMILIES: readonly TokenFamily[] = [
  {
    id: "github-token",
    description:
      "GitHub token: ghp_ (classic PAT), gho_ (OAuth), ghu_/ghs_ (app user/server), ghr_ (refresh), github_pat_ (fine-grained)",
    source:
      "GitHub secret scanning (github_personal_access_token, github_oauth_access_token, github_app_installation_access_token, github_refresh_token); gitleaks github-pat, github-fine-grained-pat, github-oauth, github-app-token, github-refresh-token",
    prefixes: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
    pattern: `(?:gh[pousr]_[${ALNUM}]{36,251}|github_pat_[${ALNUM}_]{22,251})(?![A-Za-z0-9_])`,
  },
  {
    id: "aws-access-key",
    description: "AWS access key id (AKIA, ASIA, ABIA, ACCA, A3T…)",
    source: "gitleaks aws-access-token; GitHub secret scanning aws_access_key_id",
    prefixes: ["A3T", "AKIA", "ASIA", "ABIA", "ACCA"],
    pattern: `(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[${B32}]{16}(?![A-Za-z0-9])`,
    notAfter: "A-Za-z0-9",
  },
  {
    id: "gcp-api-key",
    description: "Google Cloud API key (AIza…)",
    source: "gitleaks gcp-api-key; GitHub secret scanning google_api_key",
    prefixes: ["AIza"],
    pattern: `AIza[0-9A-Za-z_-]{35}${END}`,
    notAfter: "A-Za-z0-9_-",
  },
  {
    id: "slack-token",
    description: "Slack API token (xoxb-, xoxp-, xoxa-, xoxo-, xoxs-, xoxr-, xoxe-) and app-level token (xapp-)",
    source:
      "gitleaks slack-bot-token, slack-user-token, slack-legacy-token, slack-app-token, slack-config-access-token; GitHub secret scanning slack_api_token",
    prefixes: ["xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "xoxe-", "xoxe.", "xapp-"],
    pattern: `(?:xox[abposre](?:\\.xox[a-z])?-[0-9A-Za-z-]{10,250}|xapp-\\d-[A-Z0-9]{8,20}-\\d{8,20}-[a-z0-9]{32,128})`,
    notAfter: "A-Za-z0-9",
  },
  {
    id: "jwt",
    description: "JSON Web Token (header.payload.signature, base64url, starting eyJ)",
    source: "gitleaks jwt; detect-secrets JwtTokenDetector",
    prefixes: ["eyJ"],
    pattern: "eyJ[A-Za-z0-9_-]{8,4096}\\.eyJ[A-Za-z0-9_-]{8,8192}\\.[A-Za-z0-9_-]{0,4096}={0,2}",
    notAfter: "A-Za-z0-9_-",
  },
  {
    id: "huggingface-token",
    description: "Hugging Face user access token (hf_…) or organization API token (api_org_…)",
    source: "gitleaks huggingface-access-token, huggingface-organization-api-token; GitHub secret scanning hf_*",
    prefixes: ["hf_", "api_org_"],
    pattern: `(?:hf|api_org)_[${ALNUM}]{30,40}(?![A-Za-z0-9_])`,
  },
  {
    id: "anthropic-key",
    description: "Anthropic API or admin key (sk-ant-api03-…, sk-ant-admin01-…)",
    source: "gitleaks anthropic-api-key, anthropic-admin-api-key; GitHub secret scanning anthropic_api_key",
    prefixes: ["sk-ant-"],
    pattern: `sk-ant-[a-z]{3,8}\\d{2}-[${ALNUM}_-]{32,200}${END}`,
  },
  {
    id: "openai-key",
    description: "OpenAI API key (sk-proj-…, sk-svcacct-…, sk-admin-…, and legacy sk-… with T3BlbkFJ)",
    source: "gitleaks openai-api-key; GitHub secret scanning openai_api_key",
    prefixes: ["sk-"],
    pattern: `sk-(?:(?:proj|svcacct|admin|None)-[${ALNUM}_-]{20,250}|[${ALNUM}]{20}T3BlbkFJ[${ALNUM}]{20}|[${ALNUM}]{48})${END}`,
  },
  {
    id: "npm-token",
    description: "npm access token (npm_…)",
    source: "gitleaks npm-access-token; GitHub secret scanning npm_access_token",
    prefixes: ["npm_"],
    pattern: `npm_[${ALNUM}]{36}(?![A-Za-z0-9_])`,
  },
  {
    id: "gitlab-token",
    description:
      "GitLab token: personal (glpat-), deploy (gldt-), runner (glrt-, GR1348941), trigger (glptt-), feed (glft-), mail (glimt-), agent (glagent-), OAuth (gloas-), SCIM (glsoat-), CI job (glcbt-)",
    source:
      "gitleaks gitlab-pat, gitlab-pat-routable, gitlab-deploy-token, gitlab-runner-authentication-token, gitlab-rrt, gitlab-ptt, gitlab-feed-token, gitlab-incoming-mail-token, gitlab-kubernetes-agent-token, gitlab-oauth-app-secret, gitlab-scim-token, gitlab-cicd-job-token; GitHub secret scanning gitlab_access_token",
    prefixes: [
      "glpat-",
      "gldt-",
      "glrt-",
      "glptt-",
      "glft-",
      "glimt-",
      "glagent-",
      "gloas-",
      "glsoat-",
      "glcbt-",
      "GR1348941",
    ],
    pattern: `(?:(?:glpat|gldt|glrt|glptt|glft|glimt|glagent|gloas|glsoat|glcbt)-[0-9A-Za-z_.-]{20,300}|GR1348941[0-9A-Za-z_-]{20,64})${END}`,
  },
  {
    id: "pypi-token",
    description: "PyPI (or TestPyPI) upload token (pypi-AgEIcHlwaS5vcmc…)",
    source: "gitleaks pypi-upload-token; GitHub secret scanning pypi_api_token",
    prefixes: ["pypi-AgEIcHlwaS5vcmc", "pypi-AgENdGVzdC5weXBpLm9yZw"],
    pattern: `pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[${ALNUM}_-]{50,1000}${END}`,
  },
  {
    id: "docker-hub-token",
    description: "Docker Hub personal or organization access token (dckr_pat_…, dckr_oat_…)",
    source: "GitHub secret scanning docker_personal_access_token; secretlint docker rule",
    prefixes: ["dckr_pat_", "dckr_oat_"],
    pattern: `dckr_(?:pat|oat)_[${ALNUM}_-]{27,100}${END}`,
  },
  {
    id: "stripe-key",
    description: "Stripe secret or restricted key (sk_live_, sk_test_, rk_live_, rk_test_) and webhook secret (whsec_)",
    source: "gitleaks stripe-access-token; GitHub secret scanning stripe_api_key, stripe_webhook_signing_secret",
    prefixes: ["sk_live_", "sk_test_", "sk_prod_", "rk_live_", "rk_test_", "rk_prod_", "whsec_"],
    pattern: `(?:[sr]k_(?:live|test|prod)_[${ALNUM}]{10,247}|whsec_[${ALNUM}]{32,64})(?![A-Za-z0-9_])`,
  },
  {
    id: "gcp-oauth",
    description: "Google OAuth client secret (GOCSPX-…) or access token (ya29.…)",
    source:
      "gitleaks gcp-oauth-client-secret (GitHub secret scanning google_oauth_client_secret), google_oauth_access_token",
    prefixes: ["GOCSPX-", "ya29."],
    pattern: `(?:GOCSPX-[${ALNUM}_-]{28}|ya29\\.[${ALNUM}_-]{20,2048})${END}`,
  },
  {
    id: "sendgrid-key",
    description: "SendGrid API key (SG.….…)",
    source: "gitleaks sendgrid-api-token; GitHub secret scanning sendgrid_api_key",
    prefixes: ["SG."],
    pattern: `SG\\.[${ALNUM}_-]{22}\\.[${ALNUM}_-]{43}${END}`,
  },
  {
    id: "databricks-token",
    description: "Databricks personal access token (dapi…)",
    source: "gitleaks databricks-api-token; GitHub secret scanning databricks_access_token",
    prefixes: ["dapi"],
    pattern: "dapi[a-f0-9]{32}(?:-\\d)?(?![A-Za-z0-9_])",
  },
  {
    id: "digitalocean-token",
    description: "DigitalOcean personal, OAuth or refresh token (dop_v1_, doo_v1_, dor_v1_)",
    source: "gitleaks digitalocean-pat, digitalocean-access-token, digitalocean-refresh-token",
    prefixes: ["dop_v1_", "doo_v1_", "dor_v1_"],
    pattern: "do[opr]_v1_[a-f0-9]{64}(?![A-Za-z0-9_])",
  },
  {
    id: "shopify-token",
    description: "Shopify access, custom-app, private-app or shared-secret token (shpat_, shpca_, shppa_, shpss_)",
    source:
      "gitleaks shopify-access-token, shopify-custom-access-token, shopify-private-app-access-token, shopify-shared-secret",
    prefixes: ["shpat_", "shpca_", "shppa_", "shpss_"],
    pattern: "shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?![A-Za-z0-9_])",
  },
  {
    id: "linear-key",
    description: "Linear API key (lin_api_…)",
    source: "gitleaks linear-api-key; GitHub secret scanning linear_api_key",
    prefixes: ["lin_api_"],
    pattern: `lin_api_[${ALNUM}]{40}(?![A-Za-z0-9_])`,
  },
  {
    id: "groq-key",
    description: "Groq API key (gsk_…)",
    source: "GitHub secret scanning groq_api_key; secretlint groq rule",
    prefixes: ["gsk_"],
    pattern: `gsk_[${ALNUM}]{52}(?![A-Za-z0-9_])`,
  },
  {
    id: "replicate-token",
    description: "Replicate API token (r8_…)",
    source: "GitHub secret scanning replicate_api_token",
    prefixes: ["r8_"],
    pattern: `r8_[${ALNUM}]{37}(?![A-Za-z0-9_])`,
  },
  {
    id: "vault-token",
    description: "HashiCorp Vault service or batch token (hvs.…, hvb.…)",
    source: "gitleaks vault-service-token, vault-batch-token; GitHub secret scanning hashicorp_vault_*",
    prefixes: ["hvs.", "hvb."],
    pattern: `hv[sb]\\.[${ALNUM}_-]{24,400}${END}`,
  },
  {
    id: "grafana-token",
    description: "Grafana Cloud API token (glc_…) or service-account token (glsa_…)",
    source: "gitleaks grafana-cloud-api-token, grafana-service-account-token",
    prefixes: ["glc_", "glsa_"],
    pattern: `(?:glc_[${ALNUM}+/]{32,400}={0,2}|glsa_[${ALNUM}]{32}_[A-Fa-f0-9]{8})(?![A-Za-z0-9_])`,
  },
  {
    id: "sentry-token",
    description: "Sentry organization or user auth token (sntrys_…, sntryu_…)",
    source: "gitleaks sentry-org-token, sentry-user-token",
    prefixes: ["sntrys_", "sntryu_"],
    pattern: `(?:sntrys_eyJ[${ALNUM}+/=_-]{40,400}|sntryu_[a-f0-9]{64})(?![A-Za-z0-9_])`,
  },
  {
    id: "age-secret-key",
    description: "age encryption secret key (AGE-SECRET-KEY-1…)",
    source: "gitleaks age-secret-key",
    prefixes: ["AGE-SECRET-KEY-1"],
    pattern: "AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}(?![A-Za-z0-9])",
  },
  {
    id: "postman-key",
    description: "Postman API key (PMAK-…)",
    source: "gitleaks postman-api-token",
    prefixes: ["PMAK-"],
    pattern: "PMAK-[a-f0-9]{24}-[a-f0-9]{34}(?![A-Za-z0-9])",
  },
  {
    id: "atlassian-token",
    description: "Atlassian API token (ATATT3…)",
    source: "gitleaks atlassian-api-token",
    prefixes: ["ATATT3"],
    pattern: `ATATT3[${ALNUM}_=-]{100,300}${END}`,
  },
  {
    id: "doppler-token",
    description: "Doppler personal token (dp.pt.…)",
    source: "gitleaks doppler-api-token",
    prefixes: ["dp.pt."],
    pattern: "dp\\.pt\\.[a-zA-Z0-9]{43}(?![A-Za-z0-9])",
  },
  {
    id: "pulumi-token",
    description: "Pulumi access token (pul-…)",
    source: "gitleaks pulumi-api-token",
    prefixes: ["pul-"],
    pattern: "pul-[a-f0-9]{40}(?![A-Za-z0-9])",
  },
  {
    id: "tailscale-key",
    description: "Tailscale auth or API key (tskey-…)",
    source: "GitHub secret scanning tailscale_api_key; secretlint tailscale rule",
    prefixes: ["tskey-"],
    pattern: `tskey-[a-z]{3,10}-[${ALNUM}]{8,40}-[${ALNUM}]{16,64}(?![A-Za-z0-9])`,
  },
  {
    id: "notion-token",
    description: "Notion integration token (ntn_…)",
    source: "GitHub secret scanning notion_integration_token; secretlint notion rule",
    prefixes: ["ntn_"],
    pattern: `ntn_[${ALNUM}]{40,50}(?![A-Za-z0-9_])`,
  },
  {
    id: "figma-token",
    description: "Figma personal access token (figd_…)",
    source: "GitHub secret scanning figma_pat; secretlint figma rule",
    prefixes: ["figd_"],
    pattern: `figd_[${ALNUM}_-]{40,64}${END}`,
  },
  {
    id: "heroku-key",
    description: "Heroku API key (HRKU-…)",
    source: "gitleaks heroku-api-key-v2",
    prefixes: ["HRKU-"],
    pattern: `HRKU-AA[${ALNUM}_-]{58}${END}`,
  },
  {
    id: "new-relic-key",
    description: "New Relic user API key (NRAK-…)",
    source: "gitleaks new-relic-user-api-key",
    prefixes: ["NRAK-"],
    pattern: "NRAK-[A-Z0-9]{27}(?![A-Za-z0-9])",
  },
  {
    id: "square-token",
    description: "Square access token or OAuth secret (sq0atp-…, sq0csp-…, EAAA…)",
    source: "gitleaks square-access-token, square-secret",
    prefixes: ["sq0atp-", "sq0csp-", "EAAA"],
    pattern: `(?:sq0(?:atp|csp)-[${ALNUM}_-]{22,43}|EAAA[${ALNUM}_+=-]{60})${END}`,
  },
  {
    id: "onepassword-token",
    description: "1Password service-account token (ops_eyJ…)",
    source: "gitleaks 1password-service-account-token; secretlint 1password rule",
    prefixes: ["ops_"],
    pattern: `ops_eyJ[${ALNUM}+/]{250,}={0,3}(?![A-Za-z0-9+/=])`,
  },
];

/** Characters a prefix is made of, up to and including its first separator (the key candidates are looked up by). */
const KEY_SEPARATORS = ["_", "-"] as const;

interface Compiled {
  family: TokenFamily;
  sticky: RegExp;
}

/**
 * Characters rare in logs: a prefix without a separator is found from one memchr-like `indexOf` of
 * its first character when that is upper case (`AKIA`, `ASIA`, `AIza` … share the `A`s), else from
 * the first of these it contains (`eyJ` from its `J`). Most lower-case letters and digits are too
 * common for that, and such a prefix (`dapi`) gets a literal search instead.
 */
const RARE = "JQZXKVWYxjqzyw";

function anchorOf(prefix: string): string | undefined {
  const first = prefix[0]!;
  if (first >= "A" && first <= "Z") return first;
  return [...RARE].find((c) => prefix.includes(c));
}

interface Anchored {
  /** Where the anchor character sits in the prefix. */
  offset: number;
  prefix: string;
  rules: Compiled[];
}

/**
 * The scanner: for prefixes with a separator (`ghp_`, `sk-`), every occurrence of the separator
 * (shared with other rules, anchors.ts) is taken and the word before it looked up; a prefix without
 * one is found from its rarest character (`eyJ`, `AKIA`, `SG.`), and the few left (`dapi`, `hvs.`)
 * share one literal search. All are native scans at hundreds of MB/s, unlike one
 * regex alternation of sixty prefixes, which V8 tries position by position.
 */
class TokenScanner {
  private readonly bySeparator = new Map<string, Map<string, Compiled[]>>();
  private readonly longestKey = new Map<string, number>();
  /** For each separator, which word lengths are keys (most words before a `-` or `_` are not, and are skipped unsliced). */
  private readonly keyLengths = new Map<string, Set<number>>();
  /** Prefixes with neither a separator nor a rare character, all found by one search. */
  private readonly literal = new Map<string, Compiled[]>();
  private literalSearch: RegExp | undefined;
  private readonly anchored = new Map<string, Anchored[]>();
  /** For each anchor character, the characters that follow it in its prefixes. */
  private readonly afterAnchor = new Map<string, Uint8Array>();
  /** For each separator, the last two characters of its keys: most `_` and `-` of a log end no key and cost two reads. */
  private readonly keyEnds = new Map<string, Uint8Array>();

  constructor(families: readonly TokenFamily[]) {
    const plain = new Map<string, Compiled[]>();
    for (const family of families) {
      const compiled: Compiled = {
        family,
        sticky: new RegExp(`(?<![${family.notAfter ?? "A-Za-z0-9_"}])(?:${family.pattern})`, "y"),
      };
      for (const prefix of family.prefixes) {
        const cut = Math.min(...KEY_SEPARATORS.map((s) => prefix.indexOf(s)).filter((i) => i > 0), Infinity);
        if (cut === Infinity) {
          const list = plain.get(prefix) ?? [];
          if (!list.includes(compiled)) list.push(compiled);
          plain.set(prefix, list);
          continue;
        }
        const separator = prefix[cut]!;
        const key = prefix.slice(0, cut);
        const keys = this.bySeparator.get(separator) ?? new Map<string, Compiled[]>();
        this.bySeparator.set(separator, keys);
        const list = keys.get(key) ?? [];
        if (!list.includes(compiled)) list.push(compiled);
        keys.set(key, list);
        this.longestKey.set(separator, Math.max(this.longestKey.get(separator) ?? 0, key.length));
        this.keyLengths.set(separator, (this.keyLengths.get(separator) ?? new Set<number>()).add(key.length));
        const ends = this.keyEnds.get(separator) ?? new Uint8Array(128 * 128);
        this.keyEnds.set(separator, ends);
        const lastCode = key.charCodeAt(key.length - 1) & 127;
        if (key.length === 1) for (let c = 0; c < 128; c++) ends[c * 128 + lastCode] = 1;
        else ends[(key.charCodeAt(key.length - 2) & 127) * 128 + lastCode] = 1;
      }
    }
    // The prefixes left (`dapi`, `hvs.` …) in one search: one scan of a megabyte whatever their number.
    for (const [prefix, rules] of plain) {
      const rare = anchorOf(prefix);
      if (rare === undefined) {
        this.literal.set(prefix, rules);
        continue;
      }
      const list = this.anchored.get(rare) ?? [];
      list.push({ offset: prefix.indexOf(rare), prefix, rules });
      this.anchored.set(rare, list);
    }
    for (const [anchor, entries] of this.anchored) {
      const follows = new Uint8Array(128);
      for (const { offset, prefix } of entries) {
        // An anchor that ends its prefix may be followed by anything (non-ASCII aliases: a candidate too many).
        if (offset + 1 >= prefix.length) follows.fill(1);
        else follows[prefix.charCodeAt(offset + 1) & 127] = 1;
      }
      this.afterAnchor.set(anchor, follows);
    }
    if (this.literal.size > 0) {
      const alternatives = [...this.literal.keys()].sort((a, b) => b.length - a.length).map(escapeRegex);
      this.literalSearch = new RegExp(alternatives.join("|"), "g");
    }
  }

  /** The prefixes found by the literal search (`dapi`, `hvs.` …): a caller may search for them with others at once. */
  literalPrefixes(): string[] {
    return [...this.literal.keys()];
  }

  /**
   * Every token of every family in `text`, by family id. `literalStarts` are where the caller's own
   * search found the literal prefixes (a superset does no harm); without it the scanner searches.
   */
  scan(text: string, literalStarts?: readonly number[]): Map<string, Span[]> {
    const found = new Map<string, Span[]>();
    const tryAt = (rules: readonly Compiled[], start: number): void => {
      for (const { family, sticky } of rules) {
        sticky.lastIndex = start;
        const m = sticky.exec(text);
        if (m === null || (family.accept !== undefined && !family.accept(m[0]))) continue;
        const list = found.get(family.id) ?? [];
        list.push({ start, end: start + m[0].length });
        found.set(family.id, list);
      }
    };
    for (const [separator, keys] of this.bySeparator) {
      const longest = this.longestKey.get(separator) ?? 0;
      const lengths = this.keyLengths.get(separator) ?? new Set<number>();
      const ends = this.keyEnds.get(separator)!;
      const { positions, before2, before1 } = around(text, separator);
      for (let i = 0; i < positions.length; i++) {
        const at = positions[i]!;
        // Non-ASCII characters alias into the table: a candidate too many, which the lookup below drops.
        if (at >= 2 && ends[(before2[i]! & 127) * 128 + (before1[i]! & 127)] !== 1) continue;
        let start = at;
        while (start > 0 && at - start < longest && isWordChar(text.charCodeAt(start - 1))) start--;
        if (!lengths.has(at - start)) continue;
        const rules = keys.get(text.slice(start, at));
        if (rules !== undefined) tryAt(rules, start);
      }
    }
    // Two prefixes on one anchor may match at one start: each family is tried there once.
    const tried: Array<{ start: number; rule: Compiled }> = [];
    for (const [anchor, entries] of this.anchored) {
      const follows = this.afterAnchor.get(anchor)!;
      const { positions, after1 } = around(text, anchor);
      for (let i = 0; i < positions.length; i++) {
        // Most `A`s of a log are followed by nothing a prefix continues with: one table read, no compare.
        if (follows[after1[i]! & 127] !== 1) continue;
        const at = positions[i]!;
        tried.length = 0;
        for (const { offset, prefix, rules } of entries) {
          const start = at - offset;
          if (start < 0 || !text.startsWith(prefix, start)) continue;
          for (const rule of rules) {
            if (tried.some((t) => t.start === start && t.rule === rule)) continue;
            tried.push({ start, rule });
            tryAt([rule], start);
          }
        }
      }
    }
    if (this.literalSearch !== undefined) {
      for (const at of literalStarts ?? matchStarts(text, this.literalSearch)) {
        const rules = new Set<Compiled>();
        for (const [prefix, list] of this.literal) if (text.startsWith(prefix, at)) for (const r of list) rules.add(r);
        tryAt([...rules], at);
      }
    }
    return found;
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function isWordChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/**
 * The literal prefixes of these families that no index finds (`dapi`, `hvs.` …): a caller that
 * searches for them along with its own patterns passes the starts to `tokenRules`.
 */
export function literalPrefixes(families: readonly TokenFamily[] = TOKEN_FAMILIES): string[] {
  return new TokenScanner(families).literalPrefixes();
}

/**
 * The families as sanitizer rules. They share one scanner, and the last text scanned with its
 * findings: the first family's `find` scans, the others read the same result (a text is scanned
 * once however many families there are). Holding one text is the cost of that. `literalStarts`,
 * if given, says where the `literalPrefixes` of these families may start in a text.
 */
export function tokenRules(
  families: readonly TokenFamily[] = TOKEN_FAMILIES,
  literalStarts?: (text: string, ctx: RuleContext) => readonly number[],
): Rule[] {
  const scanner = new TokenScanner(families);
  let lastText: string | undefined;
  let lastFound = new Map<string, Span[]>();
  const hits = (text: string, ctx: RuleContext): Map<string, Span[]> => {
    if (text !== lastText) {
      lastFound = scanner.scan(text, literalStarts?.(text, ctx));
      lastText = text;
    }
    return lastFound;
  };
  return families.map((family) => ({
    id: family.id,
    description: family.description,
    source: family.source,
    kind: "credential",
    keywords: [],
    find: (text: string, ctx: RuleContext) => hits(text, ctx).get(family.id) ?? [],
  }));
}
