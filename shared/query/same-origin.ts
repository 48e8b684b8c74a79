/**
 * The one rule for writes through a browser: a label may only come from the page itself. The
 * loopback server and the `serve --aws` signing proxy take no credentials from the browser, so
 * without this any site the analyst visits could post labels to them (a form or `fetch` with
 * `no-cors` needs no preflight). Browsers mark every request with `Sec-Fetch-Site` and a
 * write with `Origin`; clients that are not browsers (the CLI, curl) send neither and pass.
 */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

const header = (headers: HeaderBag, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/** Why a write must be refused as cross-site, or undefined when it comes from one of `selfOrigins`. */
export function crossSiteWriteReason(headers: HeaderBag, selfOrigins: readonly string[]): string | undefined {
  const site = header(headers, 'sec-fetch-site')?.trim().toLowerCase();
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `a ${site} request may not write (Sec-Fetch-Site)`;
  const origin = header(headers, 'origin')?.trim().toLowerCase();
  if (origin !== undefined && !selfOrigins.some((self) => self.toLowerCase() === origin)) {
    return `requests from ${origin.slice(0, 100)} may not write here (Origin)`;
  }
  return undefined;
}

/** `application/json`, with or without parameters; the type a cross-site form cannot send unpreflighted. */
export function isJsonContentType(value: string | undefined): boolean {
  return value !== undefined && /^\s*application\/json\s*(?:;|$)/i.test(value);
}
