/**
 * Rules moved from a global regex scan onto candidate starts (anchors.ts) must find exactly what the
 * global scan found: the old regexes are kept here as oracles and both run on random text built from
 * each rule's alphabet plus its anchors.
 */
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { matchesAt, matchStarts, occurrencesOf, positionsOf } from "../../../src/core/sanitize/anchors.js";
import { hostPolicy, isPrivateIpv6, parseIpv6 } from "../../../src/core/sanitize/address.js";
import { tokenRules } from "../../../src/core/sanitize/tokens.js";
import {
  decodableBase64,
  findHostPortIpv4,
  findIpv6,
  findKeyedIpv4,
  PLANS,
  privateLooseIpv4,
  tailAnchoredFinder,
  type Rule,
  RULES,
  SECRET_ASSIGNMENT,
  SECRET_ASSIGNMENT_STARTS,
} from "../../../src/core/sanitize/rules.js";

const KEYS =
  "password|passwd|pwd|secret|client[_-]?secret|secret[_-]?key|api[_-]?key|access[_-]?token|auth[_-]?token|refresh[_-]?token|id[_-]?token|private[_-]?token|token";

interface Case {
  name: string;
  /** The regex as it ran globally before the move. */
  oracle: RegExp;
  re: RegExp;
  starts: (text: string) => Iterable<number>;
  /** Whole matches, cut up and glued to the fragments by the generator. */
  samples: readonly string[];
  /** Fragments random texts are made of: the rule's keys, alphabet, separators and blanks. */
  fragments: readonly string[];
}

const BLANKS = [" ", "\t", "\n", '"', "'", ":", "=", ",", ";"];
const NAME = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const NAME_END = "(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])";
const LOOSE_PART = "(?:0[xX][0-9a-fA-F]{1,8}|\\d{1,10})";
const LOOSE_PRIVATE = `(?:(?:10|127|172|192|100|169|0[0-7]{1,11}|0[xX][0-9a-fA-F]{1,8})(?:\\.${LOOSE_PART}){0,3}|\\d{8,10})`;
const VALUE = [
  "abc",
  "x2k4q",
  "Zz9",
  "a-b",
  "10",
  "0x",
  "7f000001",
  "127.0.0.1",
  "/",
  "+",
  ".",
  "-",
  "_",
  "4",
  "ab12cd34ef",
];

const plan = (
  name: keyof typeof PLANS,
  samples: readonly string[],
  oracle: RegExp,
  fragments: readonly string[],
): Case => ({
  name,
  oracle,
  re: PLANS[name].re,
  starts: PLANS[name].starts,
  samples,
  fragments: [...BLANKS, ...VALUE, ...fragments],
});

const CASES: Case[] = [
  {
    name: "secret-assignment",
    oracle: new RegExp(`(${KEYS})["']?[ \\t]*[:=][ \\t]*["']?([^\\s"',;]{4,4096})`, "dgi"),
    re: SECRET_ASSIGNMENT,
    starts: SECRET_ASSIGNMENT_STARTS,
    samples: ["password=hunter2", "Client_Secret : 'abcd1234", 'api-key"=x9y8z7w6', "xtoken\t:\tabcdefgh1"],
    fragments: [
      ...BLANKS,
      "password",
      "PassWord",
      "passwd",
      "pwd",
      "secret",
      "client_secret",
      "client-",
      "secret_key",
      "api",
      "_key",
      "api-key",
      "access",
      "_token",
      "token",
      "TOKEN",
      "id",
      "x",
      "ab",
      "9",
      "hunter2",
      "_",
      "-",
    ],
  },
  plan(
    "awsSecretKey",
    [
      "aws_secret_access_key = ABCDEFGHIJabcdefghij0123456789+/+/+/+/+/",
      'AWSSecretKey:"ABCDEFGHIJabcdefghij0123456789+/+/+/+/+/"',
    ],
    /(?<![A-Za-z0-9])aws_?secret_?(?:access_?)?key["']?[ \t]{0,5}[:=][ \t]{0,5}["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/dgi,
    ["aws", "AWS_", "secret", "_access", "_key", "KEY", "x", "ABCDEFGHIJKLMNOPQRST", "abcdefghij0123456789", "  "],
  ),
  plan(
    "gcpServiceAccount",
    ['"private_key": "abc\\n"', '"type":"service_account"', '"client_email" : "x@y"'],
    /"(private_key|private_key_id|client_email|type)"[ \t]*:[ \t]*"((?:[^"\\\r\n]|\\.){1,16384})"/dg,
    ['"', "private_key", "_id", "client_email", "type", "service_account", "\\", '\\"', "\r"],
  ),
  plan(
    "kubeconfigData",
    ["client-key-data: QUJD", 'certificate-authority-data:"QUJD=', "client-certificate-data :x"],
    /(?<![A-Za-z0-9_-])(?:client-key-data|client-certificate-data|certificate-authority-data)"?[ \t]*:[ \t]*"?([A-Za-z0-9+/=]{1,65536})/dg,
    ["client-", "key-data", "certificate-", "authority-data", "data", "client-key-data"],
  ),
  plan(
    "azureAccountKey",
    [
      "AccountKey=0123456789abcdefghij0123456789abcdefghij==",
      "sharedaccesskey=ABCDEFGHIJ0123456789ABCDEFGHIJ0123456789ABCD",
    ],
    /(?<![A-Za-z0-9])(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{40,90}={0,2})(?![A-Za-z0-9+/=])/dgi,
    ["AccountKey", "accountkey", "Shared", "AccessKey", "0123456789abcdefghij", "ABCDEFGHIJ0123456789", "=="],
  ),
  plan(
    "azureSig",
    ["?sig=0123456789abcdefghij0123456789abcdefghij", "&sig=%2B0123456789abcdefghij0123456789abcdefghij"],
    /[?&]sig=([A-Za-z0-9%+/=]{40,256})(?![A-Za-z0-9%+/=])/dg,
    ["?", "&", "sig", "SIG", "0123456789abcdefghij", "%2B"],
  ),
  plan(
    "azureClientSecret",
    ["abc8Q~0123456789abcdefghij0123456789a", "x.y9Q~ABCDEFGHIJKLMNOPQRSTUVWXYZ01234"],
    /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g,
    ["Q~", "q~", "~", "8", "abc", "0123456789abcdef", "ABCDEFGHIJKLMNOP"],
  ),
  plan(
    "authorizationHeader",
    ["Authorization: Bearer abcdefgh12", 'proxy-authorization="token abcdefgh12', "authorization=abcdefgh12xyz"],
    /(?<![A-Za-z0-9_-])(?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?(?:(?:bearer|basic|token|digest|negotiate|apikey|bot)[ \t]+)?([^\s"',;]{8,4096})/dgi,
    ["proxy-", "authorization", "Authorization", "bearer", "Basic", "token", "bot", "abcdefgh12"],
  ),
  plan(
    "kubeServer",
    ["server: https://x.svc", 'server"  :"http://10.0.0.1:6443', "SERVER:a://b"],
    /(?<![A-Za-z0-9_-])server"?[ \t]*:[ \t]*"?([A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/[^\s"'<>`]{1,2048})/dgi,
    ["server", "SERVER", "https", "://", "x.svc", "api-"],
  ),
  plan(
    "ipDashed",
    ["ip-10-0-0-1", "ip-192-168-1-255-x"],
    /(?<![A-Za-z0-9_-])ip-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})(?![A-Za-z0-9_]|-\d)/g,
    ["ip-", "IP-", "i", "p", "192", "1", "-1", "255"],
  ),
  plan(
    "k8sTail",
    ["-x2k4q", "-7d9f8", "-bcdfg.", "-zzzzz-"],
    /-[bcdfghjklmnpqrstvwxz2456789]{5}(?![A-Za-z0-9_-]|\.[a-z0-9])/g,
    ["-", "trainer", "x2k4q", "b", "7", "a", "é", ".", ".a", "_", "ZZ", "bcdfghjk"],
  ),
  plan("ipHex", ["0x7f000001", "0X0A000007."], /0[xX][0-9a-fA-F]{8}(?![A-Za-z0-9_.])/g, [
    "0x",
    "0X",
    "x",
    "X",
    "0",
    "7f",
    "aBcD",
    "0000",
    "g",
  ]),
  plan("ipAfterAt", ["@10.0.0.1", "@167772167"], new RegExp(`@(${LOOSE_PRIVATE})(?![A-Za-z0-9_.-])`, "dg"), [
    "@",
    "@10",
    "192",
    ".168",
    "0x0a",
    "012",
    "167772167",
  ]),
  plan(
    "namespaceFlag",
    ["--namespace ml-research", "--namespace=a1"],
    new RegExp(`(?<![A-Za-z0-9_-])--namespace(?:=|[ \\t]+)(${NAME})${NAME_END}`, "dg"),
    ["--namespace", "-", "--", "namespace", "ml-research"],
  ),
  plan(
    "namespaceKey",
    ["namespace: ml-research", 'Namespace="a1'],
    new RegExp(`(?<![A-Za-z0-9_-])namespace["']?[ \\t]*[:=][ \\t]*["']?(${NAME})${NAME_END}`, "dgi"),
    ["namespace", "Namespace", "NAMESPACE", "name", "space", "ml-research"],
  ),
  plan(
    "namespaceShortFlag",
    ["-n ml-research", "-n	a"],
    new RegExp(`(?<![A-Za-z0-9_-])-n[ \\t]+(${NAME})${NAME_END}`, "dg"),
    ["-n", "-N", "n", "-", "kubectl", "ml-research"],
  ),
  plan(
    "pvcUid",
    ["pvc-0123abcd-0a1b-0a1b-0a1b-0123456789ab"],
    /(?<![A-Za-z0-9_-])pvc-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![A-Za-z0-9_-])/gi,
    ["pvc-", "PVC-", "pvc", "0123abcd", "-", "0a1b", "0123456789ab"],
  ),
  plan(
    "claimName",
    ["claimName: data-pvc", "claimname='a1"],
    new RegExp(`(?<![A-Za-z0-9_-])claimName["']?[ \\t]*[:=][ \\t]*["']?(${NAME})${NAME_END}`, "dgi"),
    ["claimName", "claimname", "claim", "Name", "data-pvc"],
  ),
  plan(
    "pvcSlash",
    ["pvc/data", "persistentvolumeclaims/a1"],
    new RegExp(`(?<![A-Za-z0-9_-])(?:pvc|persistentvolumeclaims?)/(${NAME})${NAME_END}`, "dgi"),
    ["pvc", "PVC", "persistentvolumeclaim", "s", "/", "c", "m", "data"],
  ),
  plan(
    "pathVariable",
    ["_PATH=/data/x", '_HOME="/scratch'],
    /_(?:PATH|DIR|ROOT|HOME|MOUNT|CACHE)["']?=["']?(\/[^\s"'`:;,]{1,1024})/dg,
    ["_", "PATH", "DIR", "ROOT", "HOME", "MOUNT", "CACHE", "_path", "/data", "`"],
  ),
  plan(
    "slackWebhook",
    [
      "https://hooks.slack.com/services/T0/B0/abcdefghijklmnopqrstuvwx",
      "hooks.slack.com/workflows/abcdefghij0123456789",
    ],
    /(?:https?:\/\/)?hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20,256}/g,
    ["https://", "http://", "hooks.slack.com/", "services/", "triggers/", "abcdefghij", "T0/B0/", "HOOKS"],
  ),
  plan(
    "bearer",
    ["Bearer abcdefgh12", "bearer\tabcdefghijklmnopqrstuvwxyz=="],
    /(?<![A-Za-z0-9_])bearer[ \t]+([A-Za-z0-9._~+/-]{8,4096}={0,4})/dgi,
    ["bearer", "BEARER", "Bearer ", "basic", "b", "abcdefgh12", "x_"],
  ),
  plan(
    "basic",
    ["Basic dXNlcjpwYXNz", "basic\tQUJDREVGR0g="],
    /basic[ \t]+([A-Za-z0-9+/]{8,4096}={0,2})(?![A-Za-z0-9+/=])/dgi,
    ["basic", "BASIC", "Basic ", "bearer", "b", "dXNlcjpwYXNz", "=="],
  ),
  plan(
    "wandbLogin",
    [
      "wandb login 0123456789abcdef0123456789abcdef01234567",
      "wandb login --relogin local-0123456789abcdef0123456789abcdef01234567",
    ],
    /(?<![A-Za-z0-9_-])wandb[ \t]+login(?:[ \t]+--?[a-z-]{1,20})*[ \t]+((?:local-)?[0-9a-f]{40})(?![A-Za-z0-9])/dg,
    ["wandb", "wandb ", "login", " --relogin", "local-", "0123456789abcdef0123", "456789abcdef01234567"],
  ),
  plan(
    "wandbSdk",
    [
      'wandb.login(key="0123456789abcdef0123456789abcdef01234567")',
      "wandb.login(anonymous='x', key = '0123456789abcdef0123456789abcdef01234567'",
    ],
    /wandb\.login\([^)\n]{0,200}?key[ \t]*=[ \t]*["']((?:local-)?[0-9a-f]{40})["']/dg,
    ["wandb", "wandb.login(", "key", "=", '"', ")", "0123456789abcdef0123", "456789abcdef01234567"],
  ),
  plan(
    "wandbNetrc",
    ["api.wandb.ai login user password 0123456789abcdef0123456789abcdef01234567"],
    /api\.wandb\.ai[ \t]+login[ \t]+[^\s]{1,100}[ \t]+password[ \t]+((?:local-)?[0-9a-f]{40})(?![A-Za-z0-9])/dg,
    [
      "api.",
      "wandb",
      ".ai",
      "api.wandb.ai ",
      "login ",
      "user ",
      "password ",
      "0123456789abcdef0123",
      "456789abcdef01234567",
    ],
  ),
  plan(
    "clusterRoot",
    ["/data/shared/run1", "/mnt/x/y", "/checkpoints/step_9.pt", "/scratch/a@b/c"],
    /\/(?:data|mnt|scratch|shared|lustre|gpfs|fsx|efs|nfs|datasets|checkpoints|vol|volumes|nvme|raid|storage|cluster)(?:\/[A-Za-z0-9._@%+=-]{1,255}){1,64}/g,
    ["/", "//", "data", "dat", "mnt", "scratch", "volumes", "vol", "nvme", "x", "run1", "é", "~", "D"],
  ),
  plan(
    "ipDotted",
    ["10.0.0.1", "192.168.1.255", "127.0.0.1-x", "172.16.0.1.5"],
    /(?:10|127|172|192|100|169)\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![A-Za-z0-9_]|\.\d|-[A-Za-z])/g,
    ["1", "10", "127", "172", "192", "100", "169", ".", "0", "255", "-", "-a", "x", ".svc", "bearer "],
  ),
  plan(
    "internalSuffix",
    ["redis.svc", "a.cluster.local", "x.HOME.arpa", "db.corp.", "h.lan"],
    /\.(?:cluster\.local|home\.arpa|internal|local|corp|svc|lan)(?![A-Za-z0-9_-]|\.[A-Za-z0-9])/gi,
    [
      ".",
      "svc",
      "SVC",
      "cluster",
      ".local",
      "local",
      "home",
      ".arpa",
      "internal",
      "corp",
      "lan",
      "-",
      "_",
      "x",
      "10.0.0.1",
      "basic ",
    ],
  ),
];

const spans = (ms: Iterable<RegExpExecArray>): Array<[number, string]> => [...ms].map((m) => [m.index, m[0]]);

/**
 * A finder agrees with its oracle on random texts glued from `pieces`; enough texts must reach a
 * match, or the comparison proves nothing.
 */
function expectAgreesWithOracle<T>(
  pieces: readonly string[],
  oracle: (text: string) => T[],
  ours: (text: string) => T[],
  numRuns = 3000,
  maxLength = 30,
): void {
  let matched = 0;
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...pieces), { maxLength }), (parts) => {
      const text = parts.join("");
      const expected = oracle(text);
      if (expected.length > 0) matched++;
      expect(ours(text)).toEqual(expected);
    }),
    { numRuns },
  );
  expect(matched).toBeGreaterThan(30);
}

describe("candidate starts find what the global regex found", () => {
  test.each(CASES)("$name", ({ oracle, re, starts, samples, fragments }) => {
    let matched = 0;
    // A sample whole, or a prefix or suffix of one (a match cut short, or its key's tail glued to what precedes).
    const piece = fc.oneof(
      { arbitrary: fc.constantFrom(...fragments), weight: 3 },
      { arbitrary: fc.constantFrom(...samples), weight: 2 },
      {
        arbitrary: fc
          .tuple(fc.constantFrom(...samples), fc.nat(), fc.boolean())
          .map(([x, n, head]) => (head ? x.slice(0, n % (x.length + 1)) : x.slice(n % (x.length + 1)))),
        weight: 1,
      },
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
        const text = parts.join("");
        const expected = spans(text.matchAll(oracle));
        if (expected.length > 0) matched++;
        expect(spans(matchesAt(re, text, starts(text)))).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
    // The texts must reach the regex's matches, or the comparison proves nothing.
    expect(matched).toBeGreaterThan(30);
  });
});

describe("matchesAt", () => {
  test("skips a repeated start but refuses starts out of order rather than miss a match", () => {
    expect([...matchesAt(/a/g, "aa", [0, 0, 1])].map((m) => m.index)).toEqual([0, 1]);
    expect(() => [...matchesAt(/a/g, "aa", [1, 0])]).toThrow("out of order");
  });
});

describe("positionsOf", () => {
  test.each([
    ["a:b=c:", ":", [1, 5]],
    ["a:b=c:", ":=", [1, 3, 5]],
    ["", ":", []],
    ["x", "=", []],
  ])("%j %j", (text, chars, expected) => {
    expect(positionsOf(text, chars)).toEqual(expected);
  });
});

describe("occurrencesOf and matchStarts", () => {
  test("list every start, overlapping ones included, and refuse what they cannot search", () => {
    expect(occurrencesOf("aaaa", "aa")).toEqual([0, 1, 2]);
    expect(occurrencesOf("", "a")).toEqual([]);
    expect(() => occurrencesOf("a", "")).toThrow("empty");
    expect(matchStarts("ABab-aba", /ab(?:a)?/gi)).toEqual([0, 2, 5]);
    expect(matchStarts("aaa", /aa/g)).toEqual([0, 1]);
    expect(() => matchStarts("a", /a/)).toThrow("global");
  });

  test("a second text gets its own answer (the cache holds one text)", () => {
    expect(occurrencesOf("xax", "a")).toEqual([1]);
    expect(occurrencesOf("aax", "a")).toEqual([0, 1]);
    expect(matchStarts("b", /b/g)).toEqual([0]);
    expect(matchStarts("cb", /b/g)).toEqual([1]);
  });
});

/** findIpv6 before the colon index: every colon found with indexOf, the regex tried at the start of its run. */
function oldFindIpv6(text: string): Array<[number, number]> {
  const IPV6 =
    /(?<![A-Za-z0-9_:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?(?:%[A-Za-z0-9_.-]{1,32})?(?![A-Za-z0-9_.]|:[0-9A-Fa-f:])/y;
  const IPV6_CHAR = /[0-9A-Fa-f:]/;
  const spans: Array<[number, number]> = [];
  for (let colon = text.indexOf(":"); colon !== -1;) {
    let start = colon;
    while (start > 0 && colon - start < 48 && IPV6_CHAR.test(text[start - 1] ?? "")) start--;
    let runEnd = colon + 1;
    while (runEnd < text.length && IPV6_CHAR.test(text[runEnd] ?? "")) runEnd++;
    IPV6.lastIndex = start;
    const m = IPV6.exec(text);
    let next = runEnd;
    if (m !== null) {
      const groups = parseIpv6(m[0]);
      if (groups !== undefined && isPrivateIpv6(groups)) spans.push([start, start + m[0].length]);
      next = Math.max(next, start + m[0].length);
    }
    colon = text.indexOf(":", next);
  }
  return spans;
}

describe("private-ipv6 on the colon index", () => {
  test("finds what the indexOf walk found", () => {
    expectAgreesWithOracle(
      [":", "::", "fe80", "fd00", "fc", "1", "0", "abcd", "12345", ".", "%eth0", " ", "x", "_", "::1", "10.0.0.1"],
      oldFindIpv6,
      (text) => findIpv6(text).map((s): [number, number] => [s.start, s.end]),
    );
  });
});

/** The IPv4 finders before their candidates were filtered: every `:` (and `=`) tried. */
function oldFindHostPortIpv4(text: string): Array<[number, number]> {
  const PORT_TAIL = /:\d{2,5}(?![A-Za-z0-9_.])/g;
  const HOST_BEFORE_PORT = new RegExp(`(?<![A-Za-z0-9_.:])${LOOSE_PART}(?:\\.${LOOSE_PART}){0,3}(?=:\\d)`, "y");
  const spans: Array<[number, number]> = [];
  for (const t of text.matchAll(PORT_TAIL)) {
    let start = t.index;
    while (start > 0 && t.index - start < 48 && /[0-9a-fA-FxX.]/.test(text[start - 1]!)) start--;
    HOST_BEFORE_PORT.lastIndex = start;
    const m = HOST_BEFORE_PORT.exec(text);
    if (m === null || m.index + m[0].length !== t.index || !privateLooseIpv4(m[0], 3)) continue;
    spans.push([start, t.index]);
  }
  return spans;
}

function oldFindKeyedIpv4(text: string): Array<[number, number]> {
  const KEYS = ["addr", "address", "host", "hostname", "ip", "server", "endpoint", "nameserver"];
  const KEYED_VALUE = new RegExp(`[:=][ \\t]{0,8}["']?(${LOOSE_PRIVATE})(?![A-Za-z0-9_.-])`, "dg");
  const spans: Array<[number, number]> = [];
  for (const m of text.matchAll(KEYED_VALUE)) {
    let end = m.index;
    if (text[end - 1] === '"' || text[end - 1] === "'") end--;
    let start = end;
    while (start > 0 && end - start < 64 && /[A-Za-z0-9_]/.test(text[start - 1]!)) start--;
    const word = text.slice(start, end).toLowerCase();
    const key = KEYS.find((k) => word.endsWith(k) && !/[a-z]/.test(word[word.length - k.length - 1] ?? ""));
    const range = m.indices?.[1];
    if (key === undefined || range === undefined || !privateLooseIpv4(m[1]!, 2)) continue;
    spans.push(range);
  }
  return spans;
}

describe("private-ipv4 on filtered separators", () => {
  const IPV4_PIECES = ["10", "10.0.0.1", "127.0.0.1", "192.168.1.2", "0x0a000001", "0X7F", "012", "167772167", "."];
  const FINDERS = [
    {
      name: "host:port",
      ours: findHostPortIpv4,
      oracle: oldFindHostPortIpv4,
      pieces: [
        "10.0.0.1:8080",
        "0x7f000001:22",
        ":",
        ":80",
        ":6443",
        ":1",
        "a",
        "F",
        "x",
        "_",
        " ",
        "\n",
        "é",
        "8.8.8.8",
        ...IPV4_PIECES,
      ],
    },
    {
      name: "address key",
      ours: findKeyedIpv4,
      oracle: oldFindKeyedIpv4,
      pieces: [
        "ADDR=10.0.7",
        "host: 167772167",
        '"ip": "0x0a000007"',
        "server=192.168.0.1",
        "=",
        ":",
        "addr",
        "ADDR",
        "address",
        "Host",
        "hostname",
        "ip",
        "server",
        "endpoint",
        "x",
        "MASTER_",
        '"',
        "'",
        " ",
        "\t",
        "é",
        ...IPV4_PIECES,
      ],
    },
  ];
  test.each(FINDERS)("$name finds what the scan of every separator found", ({ ours, oracle, pieces }) => {
    expectAgreesWithOracle(pieces, oracle, (text) => ours(text).map((s): [number, number] => [s.start, s.end]));
  });
});

describe("token prefixes found by the rules' common search", () => {
  test("the token rules given the common search's starts find what their own search finds", () => {
    const own = tokenRules();
    const shared = RULES.filter((r) => own.some((o) => o.id === r.id));
    const ctx = { hosts: hostPolicy() };
    const found = (rules: readonly Rule[]) => (text: string) =>
      rules.flatMap((r) => [...r.find(text, ctx)].map((s) => `${r.id} ${s.start}-${s.end}`));
    expectAgreesWithOracle(
      [
        "dapi",
        "dp.pt.",
        "hvs.",
        "hvb.",
        "DAPI",
        "0123456789abcdef",
        "ABCDEFGHIJabcdefghij0123456789_-",
        "-1",
        " ",
        ".",
        "d",
        "h",
      ],
      found(own),
      found(shared),
      2000,
      20,
    );
  });
});

describe("basic-auth's base64 check", () => {
  test("says beforehand exactly when atob would throw (a throw per hostile `Basic` word cost microseconds)", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9+/=]{0,14}$/), (value) => {
        let throws = false;
        try {
          atob(value);
        } catch {
          throws = true;
        }
        expect(decodableBase64(value)).toBe(!throws);
      }),
      { numRuns: 5000 },
    );
  });
});

/** The tail walk before: every tail walked back on its own. */
function oldTailFinder(text: string, maxLength: number): Array<[number, number]> {
  const whole = /(?<![ax])[ax]+/y;
  const spans: Array<[number, number]> = [];
  let covered = 0;
  for (const t of text.matchAll(/x/g)) {
    let start = t.index;
    while (start > 0 && t.index - start < maxLength && /[ax]/.test(text[start - 1] ?? "")) start--;
    if (start < covered) continue;
    whole.lastIndex = start;
    const m = whole.exec(text);
    if (m === null || m.index + m[0].length < t.index + 1) continue;
    spans.push([start, m.index + m[0].length]);
    covered = m.index + m[0].length;
  }
  return spans;
}

describe("tail-anchored finders", () => {
  // A made-up finder whose tails crowd into runs (the real rules' tails seldom do), and runs longer
  // than the walk may go: skipping each tail whose walk reaches the one before finds what each own walk found.
  test.each([3, 6, 512])(
    "a tail in the last tail's run is skipped, with what each own walk found (at most %i back)",
    (max) => {
      const ours = tailAnchoredFinder(
        (text) => text.matchAll(/x/g),
        "ax",
        max,
        /(?<![ax])[ax]+/y,
        () => true,
      );
      const ctx = { hosts: hostPolicy() };
      expectAgreesWithOracle(
        ["a", "aa", "aaaa", "x", "xx", " ", "a x", "é"],
        (text) => oldTailFinder(text, max),
        (text) => ours(text, ctx).map((s): [number, number] => [s.start, s.end]),
      );
    },
  );
});
