import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { isIpLiteral, judgeAddress, type AddressClass } from '#shared/fetch/address-guard.ts';

/**
 * Per-fetch node:http / node:https Agents that check every address right before a socket
 * opens: IP literals in `createConnection`, host names inside the `lookup` that net.connect
 * itself calls. Checking the address actually connected to (not one resolved earlier) is what
 * defeats DNS rebinding. Once connected, the socket's remote address is judged once more.
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
  resolve?: Resolver;
}

export interface GuardedAgents {
  /** The agent for the URL's scheme, created on first use. */
  agentFor(url: URL): http.Agent;
  /** Destroys every socket the agents opened, in use or idle. */
  destroy(): void;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export function createGuardedAgent(options: GuardedAgentOptions): GuardedAgents {
  const resolve = options.resolve ?? systemResolver;
  const allow = options.allowPrivateHosts;

  // A host with any forbidden address is refused outright: mixing a public and an internal
  // record is a rebinding trick, and happy-eyeballs could pick either.
  const lookup = (hostname: string, lookupOptions: LookupOptions, callback: LookupCallback): void => {
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

  // One feed, one connection per hop: nothing is worth keeping once the fetch is over.
  const agentOptions = { keepAlive: false, lookup: lookup as unknown as LookupFunctionForNet };
  const agents = new Map<string, http.Agent>();

  return {
    agentFor(url) {
      let agent = agents.get(url.protocol);
      if (!agent) {
        agent =
          url.protocol === 'https:'
            ? new https.Agent({ ...agentOptions, rejectUnauthorized: true })
            : new http.Agent(agentOptions);
        guardConnections(agent, allow);
        agents.set(url.protocol, agent);
      }
      return agent;
    },
    destroy() {
      for (const agent of agents.values()) agent.destroy();
    },
  };
}

function guardConnections(agent: http.Agent, allow: readonly string[]): void {
  const open = agent.createConnection.bind(agent);
  agent.createConnection = (connectOptions, callback) => {
    const host = connectOptions.host ?? connectOptions.hostname ?? '';
    // net.connect skips `lookup` for IP literals, so they are judged here, before connecting.
    if (isIpLiteral(host)) {
      const verdict = judgeAddress(host, host, allow);
      if (!verdict.allowed) {
        callback?.(new BlockedAddressError(host, host, verdict.class, verdict.reason), undefined as unknown as Duplex);
        return undefined;
      }
    }
    const socket = open(connectOptions, callback) as Socket | null | undefined;
    // Belt and braces: whatever path led here, the peer we reached must be one we may reach.
    socket?.once('connect', () => {
      const address = socket.remoteAddress;
      const verdict = address === undefined ? undefined : judgeAddress(address, host, allow);
      if (!verdict || !verdict.allowed) {
        const reason = verdict && !verdict.allowed ? verdict.reason : 'no remote address after connecting';
        socket.destroy(new BlockedAddressError(host, address ?? 'an unknown address', verdict?.class ?? { range: 'not-an-ip' }, reason));
      }
    });
    return socket;
  };
}

type LookupFunctionForNet = NonNullable<import('node:net').TcpNetConnectOpts['lookup']>;
