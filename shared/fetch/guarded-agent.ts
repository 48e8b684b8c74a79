import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { Agent, buildConnector } from 'undici';
import { isIpLiteral, judgeAddress, type AddressClass } from '#shared/fetch/address-guard.ts';

/**
 * An undici Agent that checks every address right before it opens a socket: IP literals in
 * the connector, host names inside the `lookup` that net.connect itself calls. Checking the
 * address actually connected to (not one resolved earlier) is what defeats DNS rebinding.
 */

export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
  readonly code = 'FUNDWATCH_BLOCKED_ADDRESS';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly addressClass: AddressClass,
    readonly reason: string,
  ) {
    super(isIpLiteral(host) ? `${host} refused: ${reason}` : `${host} resolves to ${address}: ${reason}`);
  }
}

export class DnsLookupError extends Error {
  override readonly name = 'DnsLookupError';
  constructor(
    readonly host: string,
    readonly dnsCode: string | undefined,
  ) {
    super(`could not resolve ${host}${dnsCode ? ` (${dnsCode})` : ''}`);
  }
}

/** Resolves a host name to every address it has; injectable so tests can play DNS. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
      if (err) reject(err);
      else resolve(addresses);
    });
  });

export interface GuardedAgentOptions {
  allowPrivateHosts: readonly string[];
  connectTimeoutMs: number;
  /** No header bytes for this long: undici's headersTimeout. */
  headersTimeoutMs: number;
  /** No body bytes for this long: undici's bodyTimeout (it resets on every chunk). */
  bodyTimeoutMs: number;
  resolve?: Resolver;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export function createGuardedAgent(options: GuardedAgentOptions): Agent {
  const resolve = options.resolve ?? systemResolver;
  const allow = options.allowPrivateHosts;

  // A host with any forbidden address is refused outright: mixing a public and an internal
  // record is a rebinding trick, and happy-eyeballs could pick either.
  const guardedLookup = (hostname: string, lookupOptions: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname).then(
      (addresses) => {
        const family = lookupOptions.family === 'IPv4' ? 4 : lookupOptions.family === 'IPv6' ? 6 : lookupOptions.family;
        const usable = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
        if (usable.length === 0) {
          callback(new DnsLookupError(hostname, 'ENOTFOUND'), lookupOptions.all ? [] : '', undefined);
          return;
        }
        for (const entry of usable) {
          const verdict = judgeAddress(entry.address, hostname, allow);
          if (!verdict.allowed) {
            callback(new BlockedAddressError(hostname, entry.address, verdict.class, verdict.reason), '', undefined);
            return;
          }
        }
        if (lookupOptions.all) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: NodeJS.ErrnoException) => {
        callback(new DnsLookupError(hostname, err.code), '', undefined);
      },
    );
  };

  const connectSocket = buildConnector({
    timeout: options.connectTimeoutMs,
    lookup: guardedLookup as unknown as LookupFunctionForNet,
  });

  const connect: buildConnector.connector = (connectOptions, callback) => {
    // net.connect skips `lookup` for IP literals, so they are judged here.
    if (isIpLiteral(connectOptions.hostname)) {
      const verdict = judgeAddress(connectOptions.hostname, connectOptions.hostname, allow);
      if (!verdict.allowed) {
        callback(
          new BlockedAddressError(connectOptions.hostname, connectOptions.hostname, verdict.class, verdict.reason),
          null,
        );
        return;
      }
    }
    connectSocket(connectOptions, callback);
  };

  return new Agent({
    connect,
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
    // One feed, one connection: nothing is worth keeping once the fetch is over.
    pipelining: 0,
  });
}

type LookupFunctionForNet = NonNullable<import('node:net').TcpNetConnectOpts['lookup']>;
