import { isIPv4, isIPv6 } from 'node:net';

/**
 * Which IP addresses a feed fetch may connect to. Pure: no DNS, no sockets. The guarded agent
 * calls it on every address a host resolves to, at connect time, so a name that re-resolves
 * to an internal address (DNS rebinding) is refused as well as an IP literal.
 */

export type AddressRange =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cloud-metadata'
  | 'shared-cgnat'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmark'
  | 'reserved'
  | 'unique-local'
  | 'not-an-ip';

export interface AddressClass {
  range: AddressRange;
  /** Set when the range was judged by the IPv4 address carried inside an IPv6 one. */
  embeddedIpv4?: string;
  /** How that IPv4 was carried: IPv4-mapped, NAT64 or 6to4. */
  via?: 'ipv4-mapped' | 'nat64' | '6to4';
}

export type AddressVerdict =
  | { allowed: true; address: string; class: AddressClass; allowListed: boolean }
  | { allowed: false; address: string; class: AddressClass; reason: string };

const RANGE_WORDS: Record<AddressRange, string> = {
  public: 'public',
  unspecified: 'unspecified',
  loopback: 'loopback',
  private: 'private',
  'link-local': 'link-local',
  'cloud-metadata': 'link-local cloud metadata',
  'shared-cgnat': 'shared (CGNAT)',
  multicast: 'multicast',
  broadcast: 'broadcast',
  documentation: 'documentation',
  benchmark: 'benchmarking',
  reserved: 'reserved',
  'unique-local': 'unique-local',
  'not-an-ip': 'unparseable',
};

/**
 * Not unicast destinations at all (or, for 0.0.0.0, an alias of this very machine): no
 * allow-list entry makes them fetchable.
 */
const NEVER_ALLOWED: ReadonlySet<AddressRange> = new Set(['unspecified', 'multicast', 'broadcast', 'not-an-ip']);

interface Ipv4Block {
  base: number;
  bits: number;
  range: AddressRange;
}

function ipv4Block(cidr: string, range: AddressRange): Ipv4Block {
  const [base, bits] = cidr.split('/');
  return { base: ipv4ToInt(base ?? ''), bits: Number(bits), range };
}

// Most specific first: the first block that contains the address decides.
const IPV4_BLOCKS: readonly Ipv4Block[] = [
  ipv4Block('0.0.0.0/32', 'unspecified'),
  ipv4Block('255.255.255.255/32', 'broadcast'),
  ipv4Block('169.254.169.254/32', 'cloud-metadata'),
  ipv4Block('0.0.0.0/8', 'reserved'),
  ipv4Block('10.0.0.0/8', 'private'),
  ipv4Block('100.64.0.0/10', 'shared-cgnat'),
  ipv4Block('127.0.0.0/8', 'loopback'),
  ipv4Block('169.254.0.0/16', 'link-local'),
  ipv4Block('172.16.0.0/12', 'private'),
  ipv4Block('192.0.0.0/24', 'reserved'),
  ipv4Block('192.0.2.0/24', 'documentation'),
  ipv4Block('192.88.99.0/24', 'reserved'),
  ipv4Block('192.168.0.0/16', 'private'),
  ipv4Block('198.18.0.0/15', 'benchmark'),
  ipv4Block('198.51.100.0/24', 'documentation'),
  ipv4Block('203.0.113.0/24', 'documentation'),
  ipv4Block('224.0.0.0/4', 'multicast'),
  ipv4Block('240.0.0.0/4', 'reserved'),
];

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function intToIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff].join('.');
}

function inIpv4Block(value: number, block: Ipv4Block): boolean {
  if (block.bits === 0) return true;
  const shift = 32 - block.bits;
  return value >>> shift === block.base >>> shift;
}

function classifyIpv4(address: string): AddressRange {
  const value = ipv4ToInt(address);
  return IPV4_BLOCKS.find((block) => inIpv4Block(value, block))?.range ?? 'public';
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped, embedded dotted IPv4 expanded). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0] ?? '';
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4ToInt(tail);
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const front = parse(head);
  if (rest === undefined) return front;
  const back = parse(rest);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

function ipv4FromGroups(high: number, low: number): string {
  return intToIpv4(((high << 16) | low) >>> 0);
}

function classifyIpv6(address: string): AddressClass {
  const g = ipv6Groups(address);
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const firstSixZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0;

  if (firstSixZero && g6 === 0 && g7 === 0) return { range: 'unspecified' };
  if (firstSixZero && g6 === 0 && g7 === 1) return { range: 'loopback' };

  // An IPv6 wrapper around an IPv4 address reaches that IPv4 host, so it is judged as that host.
  const embedded = (v4: string, via: NonNullable<AddressClass['via']>): AddressClass => ({
    range: classifyIpv4(v4),
    embeddedIpv4: v4,
    via,
  });
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) {
    return embedded(ipv4FromGroups(g6, g7), 'ipv4-mapped');
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return embedded(ipv4FromGroups(g6, g7), 'nat64');
  }
  if (g0 === 0x2002) return embedded(ipv4FromGroups(g1, g2), '6to4');

  if ((g0 & 0xff00) === 0xff00) return { range: 'multicast' };
  if ((g0 & 0xfe00) === 0xfc00) return { range: 'unique-local' };
  if ((g0 & 0xffc0) === 0xfe80) return { range: 'link-local' };
  // Deprecated site-local (fec0::/10) still routes inside some networks.
  if ((g0 & 0xffc0) === 0xfec0) return { range: 'private' };
  if (g0 === 0x2001 && g1 === 0x0db8) return { range: 'documentation' };
  if (g0 === 0x3fff && (g1 & 0xf000) === 0) return { range: 'documentation' };
  if (g0 === 0x2001 && g1 === 0x0002 && g2 === 0) return { range: 'benchmark' };
  // 2001::/23 holds IETF protocol assignments (Teredo 2001::/32 hides an IPv4 behind NAT).
  if (g0 === 0x2001 && g1 < 0x0200) return { range: 'reserved' };
  // Only 2000::/3 is global unicast; everything else (IPv4-compatible ::a.b.c.d, 100::/64
  // discard, 64:ff9b:1::/48 local NAT64, 5f00::/16 SRv6, unassigned space) is not the open web.
  if ((g0 & 0xe000) !== 0x2000) return { range: 'reserved' };
  return { range: 'public' };
}

/** Which range an IP literal belongs to; IPv6 may be bracketed or carry a zone id. */
export function classifyAddress(address: string): AddressClass {
  const bare = stripBrackets(address);
  if (isIPv4(bare)) return { range: classifyIpv4(bare) };
  if (isIPv6(bare)) return classifyIpv6(bare);
  return { range: 'not-an-ip' };
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Lower-case, without brackets or a trailing dot; IP literals in one canonical spelling. */
export function normalizeHost(host: string): string {
  const bare = stripBrackets(host.trim().toLowerCase()).replace(/\.$/, '');
  if (isIPv4(bare)) return bare;
  if (isIPv6(bare)) {
    const cls = classifyIpv6(bare);
    // ::ffff:127.0.0.1 and 127.0.0.1 are the same destination.
    if (cls.via === 'ipv4-mapped' && cls.embeddedIpv4) return cls.embeddedIpv4;
    return ipv6Groups(bare)
      .map((group) => group.toString(16))
      .join(':');
  }
  return bare;
}

export function isIpLiteral(host: string): boolean {
  const bare = stripBrackets(host);
  return isIPv4(bare) || isIPv6(bare);
}

/**
 * May a fetch for `host` connect to `address`? Public addresses always; any other unicast
 * address only when `allowPrivateHosts` names that host or that very address (so allowing
 * 127.0.0.1 does not allow 127.0.0.2). Unspecified, multicast and broadcast never.
 */
export function judgeAddress(address: string, host: string, allowPrivateHosts: readonly string[]): AddressVerdict {
  const cls = classifyAddress(address);
  const words = describeClass(cls);
  if (cls.range === 'public') return { allowed: true, address, class: cls, allowListed: false };
  if (NEVER_ALLOWED.has(cls.range)) {
    return { allowed: false, address, class: cls, reason: `${words} address is never fetched` };
  }
  const allowed = new Set(allowPrivateHosts.map(normalizeHost));
  if (allowed.has(normalizeHost(host)) || allowed.has(normalizeHost(address))) {
    return { allowed: true, address, class: cls, allowListed: true };
  }
  return { allowed: false, address, class: cls, reason: `${words} address not in fetch.allowPrivateHosts` };
}

function describeClass(cls: AddressClass): string {
  const words = RANGE_WORDS[cls.range];
  if (!cls.embeddedIpv4) return words;
  return `${words} (${cls.via} ${cls.embeddedIpv4})`;
}
