import { describe, expect, it } from 'vitest';
import { classifyAddress, judgeAddress, normalizeHost, type AddressRange } from '#shared/fetch/address-guard.ts';

/** Pure: these addresses are only classified, never contacted. */

const IPV4: Array<[string, AddressRange]> = [
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'reserved'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['100.64.0.1', 'shared-cgnat'],
  ['100.127.255.254', 'shared-cgnat'],
  ['127.0.0.1', 'loopback'],
  ['127.0.0.2', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['169.254.169.254', 'cloud-metadata'],
  ['169.254.0.1', 'link-local'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.10', 'documentation'],
  ['192.88.99.1', 'reserved'],
  ['192.168.1.1', 'private'],
  ['198.18.0.1', 'benchmark'],
  ['198.19.255.255', 'benchmark'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  // Neighbours just outside the ranges above are public.
  ['9.255.255.255', 'public'],
  ['11.0.0.0', 'public'],
  ['100.63.255.255', 'public'],
  ['100.128.0.0', 'public'],
  ['172.15.255.255', 'public'],
  ['172.32.0.0', 'public'],
  ['192.167.255.255', 'public'],
  ['192.169.0.0', 'public'],
  ['198.17.255.255', 'public'],
  ['198.20.0.0', 'public'],
  ['223.255.255.255', 'public'],
  ['8.8.8.8', 'public'],
  ['93.184.215.14', 'public'],
];

const IPV6: Array<[string, AddressRange]> = [
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['[::1]', 'loopback'],
  ['fc00::1', 'unique-local'],
  ['fd00:ec2::254', 'unique-local'],
  ['fdff:ffff::1', 'unique-local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf::1', 'link-local'],
  ['fec0::1', 'private'],
  ['ff02::1', 'multicast'],
  ['ff05::1:3', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['2001:2::1', 'benchmark'],
  ['2001::1', 'reserved'],
  ['100::1', 'reserved'],
  ['::7f00:1', 'reserved'],
  ['64:ff9b:1::1', 'reserved'],
  ['5f00::1', 'reserved'],
  ['2606:4700:4700::1111', 'public'],
  ['2a00:1450:4001:80b::200e', 'public'],
];

/** IPv6 forms that carry an IPv4 address, judged as that IPv4 address. */
const EMBEDDED: Array<[string, AddressRange, string, string]> = [
  ['::ffff:127.0.0.1', 'loopback', '127.0.0.1', 'ipv4-mapped'],
  ['::ffff:7f00:2', 'loopback', '127.0.0.2', 'ipv4-mapped'],
  ['::ffff:169.254.169.254', 'cloud-metadata', '169.254.169.254', 'ipv4-mapped'],
  ['::ffff:10.1.2.3', 'private', '10.1.2.3', 'ipv4-mapped'],
  ['::ffff:8.8.8.8', 'public', '8.8.8.8', 'ipv4-mapped'],
  ['64:ff9b::127.0.0.1', 'loopback', '127.0.0.1', 'nat64'],
  ['64:ff9b::a9fe:a9fe', 'cloud-metadata', '169.254.169.254', 'nat64'],
  ['64:ff9b::c0a8:101', 'private', '192.168.1.1', 'nat64'],
  ['64:ff9b::808:808', 'public', '8.8.8.8', 'nat64'],
  ['2002:7f00:1::', 'loopback', '127.0.0.1', '6to4'],
  ['2002:a00:1::1', 'private', '10.0.0.1', '6to4'],
  ['2002:808:808::1', 'public', '8.8.8.8', '6to4'],
];

describe('classifyAddress', () => {
  it.each(IPV4)('IPv4 %s is %s', (address, range) => {
    expect(classifyAddress(address).range).toBe(range);
  });

  it.each(IPV6)('IPv6 %s is %s', (address, range) => {
    expect(classifyAddress(address).range).toBe(range);
  });

  it.each(EMBEDDED)('IPv6 %s is judged as the embedded IPv4 (%s)', (address, range, embeddedIpv4, via) => {
    expect(classifyAddress(address)).toEqual({ range, embeddedIpv4, via });
  });

  it('says a host name is not an IP', () => {
    expect(classifyAddress('example.org').range).toBe('not-an-ip');
    expect(classifyAddress('127.0.0.1.nip.io').range).toBe('not-an-ip');
  });
});

describe('judgeAddress', () => {
  it('allows public addresses without any allow-list', () => {
    expect(judgeAddress('8.8.8.8', 'dns.example', [])).toMatchObject({ allowed: true, allowListed: false });
    expect(judgeAddress('2606:4700:4700::1111', 'one.example', [])).toMatchObject({ allowed: true });
  });

  it('refuses every non-public range without an allow-list, naming the range', () => {
    const refused = [...IPV4, ...IPV6, ...EMBEDDED].filter(([, range]) => range !== 'public');
    for (const [address] of refused) {
      const verdict = judgeAddress(address, address, []);
      expect(verdict.allowed, address).toBe(false);
    }
    expect(judgeAddress('127.0.0.2', '127.0.0.2', [])).toMatchObject({
      allowed: false,
      reason: 'loopback address not in fetch.allowPrivateHosts',
    });
    expect(judgeAddress('::ffff:10.0.0.1', 'x', [])).toMatchObject({
      allowed: false,
      reason: 'private (ipv4-mapped 10.0.0.1) address not in fetch.allowPrivateHosts',
    });
  });

  it('allows exactly the listed literal: 127.0.0.1 yes, 127.0.0.2 no', () => {
    expect(judgeAddress('127.0.0.1', '127.0.0.1', ['127.0.0.1'])).toMatchObject({ allowed: true, allowListed: true });
    expect(judgeAddress('127.0.0.2', '127.0.0.2', ['127.0.0.1']).allowed).toBe(false);
    expect(judgeAddress('10.0.0.1', '10.0.0.1', ['127.0.0.1']).allowed).toBe(false);
  });

  it('treats IPv4-mapped and canonical spellings of a listed literal alike', () => {
    expect(judgeAddress('::ffff:127.0.0.1', '::ffff:127.0.0.1', ['127.0.0.1']).allowed).toBe(true);
    expect(judgeAddress('::1', '::1', ['[0:0:0:0:0:0:0:1]']).allowed).toBe(true);
    expect(judgeAddress('::ffff:127.0.0.2', '::ffff:127.0.0.2', ['127.0.0.1']).allowed).toBe(false);
  });

  it('allows a listed host name to reach its private addresses, case- and trailing-dot-insensitively', () => {
    expect(judgeAddress('10.1.2.3', 'Intranet.Example.', ['intranet.example'])).toMatchObject({ allowed: true });
    expect(judgeAddress('10.1.2.3', 'other.example', ['intranet.example']).allowed).toBe(false);
  });

  it('never allows unspecified, multicast or broadcast, even when listed', () => {
    for (const address of ['0.0.0.0', '::', '224.0.0.1', 'ff02::1', '255.255.255.255']) {
      const verdict = judgeAddress(address, address, [address]);
      expect(verdict.allowed, address).toBe(false);
      expect(verdict.allowed ? '' : verdict.reason, address).toMatch(/address is never fetched$/);
    }
  });
});

describe('normalizeHost', () => {
  it('canonicalises names and literals', () => {
    expect(normalizeHost('LocalHost.')).toBe('localhost');
    expect(normalizeHost('[::1]')).toBe('0:0:0:0:0:0:0:1');
    expect(normalizeHost('::ffff:7f00:1')).toBe('127.0.0.1');
  });
});
