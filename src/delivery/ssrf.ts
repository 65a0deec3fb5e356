// SSRF guard for outbound webhook URLs (live mode).
//
// In live mode a webhook URL must not reach loopback, private, link-local (cloud metadata),
// or otherwise internal addresses. The guard is applied at registration (checkUrlShape +
// resolveSafeAddress) and again at every delivery: the sender resolves, checks every answer,
// then connects with `pinnedLookup` so the socket goes to exactly the address that was checked
// (no second DNS answer between check and connect: DNS rebinding). Redirects are not followed.
// Test mode skips this module on purpose, so local receivers on 127.0.0.1 work.
import { promises as dnsPromises } from 'node:dns';
import type { LookupAddress, LookupAllOptions, LookupOptions } from 'node:dns';
import { BlockList, isIP, isIPv4, isIPv6 } from 'node:net';
import type { LookupFunction } from 'node:net';

export type UnsafeUrlReason =
  | 'invalid_url'
  | 'unsupported_scheme'
  | 'credentials_in_url'
  | 'missing_host'
  | 'private_address'
  | 'dns_failed';

/** A URL that posgate will not send to. `reason` is a stable code; `message` says why in words. */
export class UnsafeUrlError extends Error {
  readonly reason: UnsafeUrlReason;
  constructor(reason: UnsafeUrlReason, message: string) {
    super(message);
    this.name = 'UnsafeUrlError';
    this.reason = reason;
  }
}

const v4Blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, incl. cloud metadata 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved
] as const) {
  v4Blocked.addSubnet(net, prefix, 'ipv4');
}
v4Blocked.addAddress('255.255.255.255', 'ipv4'); // broadcast (inside 240/4 too; listed for clarity)

const v6Blocked = new BlockList();
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['::', 96], // IPv4-compatible (deprecated): never a legitimate target
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215)
  ['100::', 64], // discard-only
  ['2001::', 23], // IETF protocol assignments: Teredo (2001::/32, whose client part may be any IPv4 address, loopback too), benchmarking, ORCHID
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local, incl. AWS metadata fd00:ec2::254
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  v6Blocked.addSubnet(net, prefix, 'ipv6');
}

/** The eight 16-bit groups of an IPv6 address (zone id already removed), or null. */
function ipv6Groups(address: string): number[] | null {
  let text = address;
  const tail: number[] = [];
  // a trailing dotted quad (::ffff:1.2.3.4, 64:ff9b::10.0.0.1) becomes two groups
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    if (!isIPv4(last)) return null;
    const [a = 0, b = 0, c = 0, d = 0] = last.split('.').map(Number);
    tail.push((a << 8) | b, (c << 8) | d);
    text = text.slice(0, lastColon + 1);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const parse = (part: string): number[] | null => {
    if (part === '') return [];
    const groups = part.split(':');
    if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
    return groups.map((g) => parseInt(g, 16));
  };
  const want = 8 - tail.length;
  const gap = text.indexOf('::');
  let groups: number[] | null;
  if (gap >= 0) {
    const head = parse(text.slice(0, gap));
    const rest = parse(text.slice(gap + 2));
    if (head == null || rest == null || head.length + rest.length > want - 1) return null;
    groups = [...head, ...new Array<number>(want - head.length - rest.length).fill(0), ...rest];
  } else {
    groups = parse(text);
    if (groups == null || groups.length !== want) return null;
  }
  return [...groups, ...tail];
}

function v4FromGroups(high: number, low: number): string {
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/**
 * The IPv4 address an IPv6 address stands for, when it embeds one that a packet would reach:
 * IPv4-mapped (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d), NAT64 (64:ff9b::a.b.c.d),
 * and 6to4 (2002:AABB:CCDD::/48). Null otherwise.
 */
function embeddedIPv4(g: number[]): string | null {
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = g;
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) return v4FromGroups(g6, g7);
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) return v4FromGroups(g6, g7);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return v4FromGroups(g6, g7);
  if (g0 === 0x2002) return v4FromGroups(g1 ?? 0, g2 ?? 0);
  return null;
}

/**
 * True when `ip` is an address a live-mode webhook must not reach: loopback, private, CGNAT,
 * link-local (cloud metadata), multicast, reserved, unique-local IPv6, and IPv6 forms that embed
 * such an IPv4 address (mapped, translated, NAT64, 6to4). Anything that is not an IP address at
 * all also answers true: the guard fails closed.
 */
export function isPrivateAddress(ip: string): boolean {
  if (typeof ip !== 'string') return true;
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  if (isIPv4(bare)) return v4Blocked.check(bare, 'ipv4');
  if (!isIPv6(bare)) return true;
  const address = bare.split('%')[0] ?? ''; // drop a zone id (fe80::1%eth0)
  const groups = ipv6Groups(address);
  if (groups == null) return true;
  const v4 = embeddedIPv4(groups);
  if (v4 != null && v4Blocked.check(v4, 'ipv4')) return true;
  // a mapped or translated address is nothing but its IPv4 address
  if (v4 != null && groups[0] === 0) return false;
  return v6Blocked.check(address, 'ipv6');
}

function hostOf(url: URL): string {
  const host = url.hostname;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function assertShape(url: URL): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UnsafeUrlError('unsupported_scheme', `only http: and https: URLs are allowed, not ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new UnsafeUrlError('credentials_in_url', 'URLs with credentials (user:password@) are not allowed');
  }
  if (hostOf(url) === '') throw new UnsafeUrlError('missing_host', 'the URL has no host');
  // nothing listens on port 0: every delivery would fail
  if (url.port === '0') throw new UnsafeUrlError('invalid_url', 'port 0 is no port a receiver listens on');
}

/** Parses a webhook URL and checks its shape: http: or https:, a host, no credentials. */
export function checkUrlShape(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UnsafeUrlError('invalid_url', 'not a valid absolute URL');
  }
  assertShape(parsed);
  return parsed;
}

/** A resolver in the shape of `dns.promises.lookup(host, { all: true })`; tests inject one. */
export type LookupAll = (hostname: string, options: LookupAllOptions) => Promise<LookupAddress[]>;

export interface SafeAddress {
  address: string;
  family: 4 | 6;
}

function familyOf(address: string): 4 | 6 | null {
  const family = isIP(address);
  return family === 4 || family === 6 ? family : null;
}

/**
 * Resolves the URL's host to every address it has and refuses the URL (UnsafeUrlError) if ANY
 * of them is private: a name with one private record among public ones could be steered to it.
 * Answers the first address, to connect to with `pinnedLookup`. A literal IP skips DNS.
 */
export async function resolveSafeAddress(url: URL, lookup: LookupAll = dnsPromises.lookup): Promise<SafeAddress> {
  assertShape(url);
  const host = hostOf(url);
  const literal = familyOf(host);
  if (literal != null) {
    if (isPrivateAddress(host)) throw new UnsafeUrlError('private_address', `${host} is a private or reserved address`);
    return { address: host, family: literal };
  }

  let answers: LookupAddress[];
  try {
    answers = await lookup(host, { all: true, order: 'verbatim' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    throw new UnsafeUrlError('dns_failed', `could not resolve ${host}${code ? ` (${code})` : ''}`);
  }
  if (!Array.isArray(answers) || answers.length === 0) {
    throw new UnsafeUrlError('dns_failed', `${host} resolved to no address`);
  }
  const checked: SafeAddress[] = [];
  for (const answer of answers) {
    const address = answer?.address;
    const family = typeof address === 'string' ? familyOf(address) : null;
    if (family == null) throw new UnsafeUrlError('dns_failed', `${host} resolved to something that is not an IP address`);
    if (isPrivateAddress(address)) {
      throw new UnsafeUrlError('private_address', `${host} resolves to ${address}, a private or reserved address`);
    }
    checked.push({ address, family });
  }
  return checked[0] as SafeAddress;
}

/** `checkUrlShape` then `resolveSafeAddress`: the whole check for a URL given as text. */
export async function resolveSafeUrl(url: string, lookup: LookupAll = dnsPromises.lookup): Promise<SafeAddress & { url: URL }> {
  const parsed = checkUrlShape(url);
  return { url: parsed, ...(await resolveSafeAddress(parsed, lookup)) };
}

function requestedFamily(options: LookupOptions | undefined): 0 | 4 | 6 {
  const family = options?.family;
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return 0;
}

/**
 * A `net.LookupFunction` (for `http.request({ lookup })`, `net.connect({ lookup })` or undici's
 * `connect.lookup`) that answers the already-checked address whatever the host name, so the
 * connection goes exactly where the check said. TLS still uses the URL's host name for SNI and
 * certificate checks. Answers asynchronously, as dns.lookup does.
 */
export function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  if (familyOf(address) !== family) throw new Error(`pinnedLookup: ${address} is not an IPv${family} address`);
  return (hostname, options, callback) => {
    const wanted = requestedFamily(options);
    if (wanted !== 0 && wanted !== family) {
      const err: NodeJS.ErrnoException = new Error(`pinned address ${address} is not IPv${wanted} (looking up ${hostname})`);
      err.code = 'ENOTFOUND';
      process.nextTick(() => callback(err, '', undefined));
      return;
    }
    if (options?.all) process.nextTick(() => callback(null, [{ address, family }]));
    else process.nextTick(() => callback(null, address, family));
  };
}
