import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';

/**
 * Requests to the deployed query API, which uses IAM auth: each one is signed with SigV4 for
 * service `execute-api` with the caller's own credentials (environment, profile, SSO, role),
 * exactly as `curl --aws-sigv4` would.
 */

type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

export interface SignedFetchOptions {
  region: string;
  credentials?: Credentials;
}

/** `https://abc.execute-api.eu-west-1.amazonaws.com/` names its region; custom domains do not. */
export function regionOfApiUrl(url: string): string | undefined {
  try {
    return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(new URL(url).hostname)?.[1];
  } catch {
    return undefined;
  }
}

export function createSigner(options: SignedFetchOptions): SignatureV4 {
  const credentials: Credentials = options.credentials ?? fromNodeProviderChain();
  return new SignatureV4({ service: 'execute-api', region: options.region, credentials, sha256: Sha256 });
}

export interface OutgoingRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
}

export async function signedFetch(signer: SignatureV4, request: OutgoingRequest): Promise<Response> {
  const url = new URL(request.url);
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const seen = query[name];
    query[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  // Send the query in SigV4's own encoding (RFC 3986, spaces as %20), so the string the server
  // canonicalises is the one that was signed; "+" or lax escapes would otherwise differ.
  url.search = [...url.searchParams].map(([n, v]) => `${rfc3986(n)}=${rfc3986(v)}`).join('&');
  const signed = await signer.sign({
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query,
    headers: { ...request.headers, host: url.host },
    ...(request.body && request.body.length > 0 ? { body: request.body } : {}),
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(signed.headers)) {
    // fetch sets Host itself and refuses to be told.
    if (name.toLowerCase() !== 'host') headers.set(name, value);
  }
  return fetch(url, {
    method: request.method,
    headers,
    redirect: 'manual',
    ...(request.body && request.body.length > 0 ? { body: request.body } : {}),
  });
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
