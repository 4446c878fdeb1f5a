/** Decides whether an IP address or a host name points inside someone's infrastructure. */

/** DNS suffixes that only resolve inside a private network (Kubernetes, cloud VPCs, RFC 6762 mDNS, RFC 8375, common LAN/corp conventions). */
export const INTERNAL_SUFFIXES: readonly string[] = [
  "cluster.local",
  "home.arpa",
  "svc",
  "internal",
  "corp",
  "local",
  "lan",
];

/** The caller's view of which hosts are internal, normalised once per call (lower case, no leading dots). */
export interface HostPolicy {
  /** Built-in suffixes plus the repo's configured internal domains. */
  readonly suffixes: readonly string[];
  /** Exact host names the repo configured as internal. */
  readonly hosts: ReadonlySet<string>;
  /** Hosts (and their subdomains) that are known public and never redacted as infrastructure. */
  readonly allowed: readonly string[];
}

export interface HostOptions {
  internalDomains?: readonly string[];
  internalHosts?: readonly string[];
  allowedHosts?: readonly string[];
}

function normaliseName(name: string): string {
  const lower = name.trim().toLowerCase();
  let start = 0;
  let end = lower.length;
  while (start < end && lower[start] === ".") start++;
  while (end > start && lower[end - 1] === ".") end--;
  return lower.slice(start, end);
}

export function hostPolicy(opts: HostOptions = {}): HostPolicy {
  const configured = (opts.internalDomains ?? []).map(normaliseName).filter((d) => d !== "");
  return {
    suffixes: [...INTERNAL_SUFFIXES, ...configured],
    hosts: new Set((opts.internalHosts ?? []).map(normaliseName).filter((h) => h !== "")),
    allowed: (opts.allowedHosts ?? []).map(normaliseName).filter((h) => h !== ""),
  };
}

function withinDomain(host: string, domain: string): boolean {
  return host === domain || host.endsWith("." + domain);
}

export function isAllowedHost(host: string, policy: HostPolicy): boolean {
  const name = normaliseName(host);
  return policy.allowed.some((a) => withinDomain(name, a));
}

/** Four octets, or undefined when the text is not a dotted-quad IPv4 address. */
export function parseIpv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const octets: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    octets.push(n);
  }
  return octets;
}

/**
 * An IPv4 address as a URL parser reads a host (WHATWG URL, "IPv4 parser"; what browsers, curl and
 * Node connect to): one to four parts, each decimal, `0x` hex or `0` octal, the last one filling
 * the remaining bytes, so `167772167`, `0x7f000001`, `0177.0.0.1` and `10.0.7` are all addresses.
 * Undefined when the text is not one.
 */
export function parseIpv4Loose(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length > 1 && parts.at(-1) === "") parts.pop();
  if (parts.length > 4) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    let n: number;
    if (/^0[xX][0-9a-fA-F]{0,16}$/.test(part)) n = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]{1,24}$/.test(part)) n = parseInt(part.slice(1), 8);
    else if (/^(?:0|[1-9]\d{0,15})$/.test(part)) n = Number(part);
    else return undefined;
    numbers.push(n);
  }
  const last = numbers.pop();
  if (last === undefined || numbers.some((n) => n > 255) || last >= 256 ** (4 - numbers.length)) return undefined;
  const value = numbers.reduce((acc, n, i) => acc + n * 256 ** (3 - i), 0) + last;
  return [
    Math.floor(value / 2 ** 24) % 256,
    Math.floor(value / 2 ** 16) % 256,
    Math.floor(value / 2 ** 8) % 256,
    value % 256,
  ];
}

/** RFC 1918 private, RFC 6598 shared (100.64/10), RFC 3927 link-local (169.254/16), RFC 1122 loopback (127/8). */
export function isPrivateIpv4(octets: readonly number[]): boolean {
  const [a = -1, b = -1] = octets;
  return (
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    a === 127
  );
}

/** Eight 16-bit groups, or undefined when the text is not an IPv6 address (RFC 4291 text forms, zone id allowed). */
export function parseIpv6(text: string): number[] | undefined {
  const address = text.replace(/%[A-Za-z0-9_.-]{1,32}$/, "");
  let tail: number[] = [];
  let body = address;
  const v4 = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (v4 !== null && v4[1] !== undefined) {
    const octets = parseIpv4(v4[1]);
    if (octets === undefined) return undefined;
    tail = [((octets[0] ?? 0) << 8) | (octets[1] ?? 0), ((octets[2] ?? 0) << 8) | (octets[3] ?? 0)];
    // "::1.2.3.4" keeps its "::"; "a:b:c:d:e:f:1.2.3.4" drops the separator before the dotted tail.
    const before = address.slice(0, v4.index);
    body = before.endsWith(":") ? before + ":" : before;
  }
  const halves = body.split("::");
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === "") return [];
    const groups: number[] = [];
    for (const g of s.split(":")) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
      groups.push(parseInt(g, 16));
    }
    return groups;
  };
  const want = 8 - tail.length;
  if (halves.length === 1) {
    const groups = parseGroups(halves[0] ?? "");
    if (groups === undefined || groups.length !== want) return undefined;
    return [...groups, ...tail];
  }
  const head = parseGroups(halves[0] ?? "");
  const rest = parseGroups(halves[1] ?? "");
  if (head === undefined || rest === undefined || head.length + rest.length > want - 1) return undefined;
  return [...head, ...Array<number>(want - head.length - rest.length).fill(0), ...rest, ...tail];
}

/** RFC 4193 unique local (fc00::/7), RFC 4291 link-local (fe80::/10) and loopback (::1), and IPv4-mapped private addresses. */
export function isPrivateIpv6(groups: readonly number[]): boolean {
  const first = groups[0] ?? 0;
  if ((first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80) return true;
  const leadingZeros = groups.slice(0, 7).every((g) => g === 0);
  if (leadingZeros && groups[7] === 1) return true;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) {
    const hi = groups[6] ?? 0;
    const lo = groups[7] ?? 0;
    return isPrivateIpv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  }
  return false;
}

/** True when a host name ends in an internal suffix or is a configured internal host (and is not allowed). */
export function isInternalName(host: string, policy: HostPolicy): boolean {
  const name = normaliseName(host);
  if (name === "" || isAllowedHost(name, policy)) return false;
  if (policy.hosts.has(name)) return true;
  // A bare suffix ("cluster.local", "svc.cluster.local") names the convention, not a machine; prose about it stays readable.
  if (INTERNAL_SUFFIXES.includes(name) || name === "svc.cluster.local") return false;
  return policy.suffixes.some((s) => name.endsWith("." + s) || (name === s && !INTERNAL_SUFFIXES.includes(s)));
}

/** True when a URL's host (name, IPv4 or bracketed IPv6) is internal by any of the rules above. */
export function isInternalHost(host: string, policy: HostPolicy): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  // A host whose last label is a number is an IPv4 address to a URL parser, whatever its form.
  const v4 = parseIpv4Loose(bare);
  if (v4 !== undefined) return isPrivateIpv4(v4);
  if (bare.includes(":")) {
    const v6 = parseIpv6(bare);
    return v6 !== undefined && isPrivateIpv6(v6);
  }
  return isInternalName(bare, policy);
}
