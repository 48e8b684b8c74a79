import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The web page's files (`web/`) as HTTP responses: content types, strong ETags with 304s,
 * caching, and the page's Content-Security-Policy. Pure apart from where the files come from:
 * in Lambda they are compiled into the bundle (`web/embedded.ts` imports them as text, which
 * esbuild inlines), so the function needs no file system; elsewhere (`fundwatch serve`, tests)
 * they are read from `web/`, where Node could not import them as text.
 */

/** Every file the page is made of, by name under `web/`. Anything else is a 404. */
export const WEB_FILES = ['index.html', 'app.js', 'style.css', 'icon.svg'] as const;
export type WebFileName = (typeof WEB_FILES)[number];

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml; charset=utf-8',
};

/**
 * The page's policy: its own script and stylesheet only (no inline code or `style=`), data from
 * its own origin only, no framing, no `<base>`, forms only to itself.
 */
export const PAGE_CSP_DIRECTIVES = {
  'default-src': "'none'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data:",
  'connect-src': "'self'",
  'base-uri': "'none'",
  'form-action': "'self'",
  'frame-ancestors': "'none'",
} as const;

export const PAGE_CSP = Object.entries(PAGE_CSP_DIRECTIVES)
  .map(([name, value]) => `${name} ${value}`)
  .join('; ');

/**
 * Powerful features the page never uses, switched off. Only names today's browsers know: each
 * unknown one costs a console warning on every load (middy's default list has a dozen).
 */
export const PAGE_PERMISSIONS_POLICY = [
  'accelerometer', 'autoplay', 'camera', 'display-capture', 'encrypted-media', 'fullscreen', 'geolocation',
  'gyroscope', 'hid', 'idle-detection', 'magnetometer', 'microphone', 'midi', 'payment', 'picture-in-picture',
  'publickey-credentials-get', 'screen-wake-lock', 'serial', 'sync-xhr', 'usb', 'xr-spatial-tracking',
]
  .map((feature) => `${feature}=()`)
  .join(', ');

/**
 * Options for `@middy/http-security-headers`, whose CSP and Permissions-Policy would replace
 * the page's own on every text/html answer. Its default CSP breaks the page (`sandbox` without
 * `allow-scripts` stops the script, `upgrade-insecure-requests` sends the local page's requests
 * to https, `report-to` names an endpoint that does not exist), and its permissions list makes
 * the browser log warnings; the page's answers carry `PAGE_CSP` and `PAGE_PERMISSIONS_POLICY`
 * themselves. The API's JSON answers are unaffected (middy writes both on text/html only), and
 * its other headers stay.
 */
export const SECURITY_HEADERS_OPTIONS = { contentSecurityPolicy: false, permissionsPolicy: false } as const;

/** Versioned asset URLs are cached for a year (their URL changes with their content); the rest revalidate. */
const IMMUTABLE = 'private, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

export interface StaticResponse {
  statusCode: 200 | 304;
  headers: Record<string, string>;
  body: string;
}

interface PreparedFile {
  contentType: string;
  body: string;
  etag: string;
  version: string;
}

export interface StaticSite {
  /**
   * The response for `GET path` (`/` or `/assets/<name>`), or undefined for a path that is not
   * one of the page's files. `version` is the `v` query parameter of an asset URL;
   * `ifNoneMatch` the request's If-None-Match header.
   */
  respond(path: string, request?: { version?: string | undefined; ifNoneMatch?: string | undefined }): StaticResponse | undefined;
  /** The content hash each asset URL carries (`assets/app.js?v=<hash>`). */
  versions: Readonly<Record<string, string>>;
}

function hashOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, 16);
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1);
}

/** True when If-None-Match names this ETag (weak comparison, as RFC 9110 asks for GET). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || strip(tag) === strip(etag));
}

/**
 * Builds the site from the files' text. The page's references to its assets
 * (`assets/<name>` in index.html) gain `?v=<content hash>`, so a new deploy is picked up at
 * once while unchanged assets come from the browser's cache without a request.
 */
export function createStaticSite(files: Readonly<Record<string, string>>): StaticSite {
  const missing = WEB_FILES.filter((name) => typeof files[name] !== 'string');
  if (missing.length > 0) throw new Error(`web page files missing: ${missing.join(', ')}`);
  const versions: Record<string, string> = {};
  for (const name of WEB_FILES) if (name !== 'index.html') versions[name] = hashOf(files[name]!);
  const html = files['index.html']!.replace(/(["'])assets\/([A-Za-z0-9._-]+)\1/g, (whole, quote: string, name: string) =>
    versions[name] ? `${quote}assets/${name}?v=${versions[name]}${quote}` : whole,
  );
  const prepared = new Map<string, PreparedFile>();
  for (const name of WEB_FILES) {
    const body = name === 'index.html' ? html : files[name]!;
    const contentType = CONTENT_TYPES[extensionOf(name)];
    if (!contentType) throw new Error(`web page file ${name}: no content type for its extension`);
    const hash = name === 'index.html' ? hashOf(body) : versions[name]!;
    prepared.set(name === 'index.html' ? '/' : `/assets/${name}`, { contentType, body, etag: `"${hash}"`, version: hash });
  }

  return {
    versions,
    respond(path, request = {}) {
      const file = prepared.get(path);
      if (!file) return undefined;
      const isPage = path === '/';
      const headers: Record<string, string> = {
        'Content-Type': file.contentType,
        ETag: file.etag,
        'Cache-Control': !isPage && request.version === file.version ? IMMUTABLE : REVALIDATE,
      };
      if (isPage) {
        headers['Content-Security-Policy'] = PAGE_CSP;
        headers['Permissions-Policy'] = PAGE_PERMISSIONS_POLICY;
        headers['Referrer-Policy'] = 'no-referrer';
      }
      if (etagMatches(request.ifNoneMatch, file.etag)) {
        // A 304 carries the validators and caching, not the body or its type.
        const { 'Content-Type': _type, ...rest } = headers;
        return { statusCode: 304, headers: rest, body: '' };
      }
      return { statusCode: 200, headers, body: file.body };
    },
  };
}

/** Reads the page's files from the `web/` directory (`fundwatch serve`, tests, scripts). */
export function readWebFiles(dir: string = fileURLToPath(new URL('../../web/', import.meta.url))): Record<WebFileName, string> {
  const out = {} as Record<WebFileName, string>;
  for (const name of WEB_FILES) out[name] = readFileSync(`${dir.replace(/\/?$/, '/')}${name}`, 'utf8');
  return out;
}

// In the Lambda bundle the import below is inlined by esbuild; nowhere else is it evaluated.
const embedded = process.env.AWS_LAMBDA_FUNCTION_NAME ? (await import('../../web/embedded.ts')).EMBEDDED_WEB_FILES : undefined;

let site: StaticSite | undefined;

/** The page as this process serves it: compiled in (Lambda) or read from `web/` once. */
export function webSite(): StaticSite {
  site ??= createStaticSite(embedded ?? readWebFiles());
  return site;
}
