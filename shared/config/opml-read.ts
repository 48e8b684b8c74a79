import { open } from 'node:fs/promises';
import sax from 'sax';
import { decodeBody } from '#shared/fetch/charset.ts';
import { declaresEntities, looksLikeHtml, sniffDocument } from '#shared/feed/document-sniff.ts';
import { repairEntities } from '#shared/feed/entity-repair.ts';
import { stripUnsafeChars, truncate } from '#shared/feed/safe-text.ts';
import { decodeEntities } from '#shared/text/html-text.ts';

/**
 * The subscriptions in an OPML file, as feed readers export them (Inoreader, Feedly, Miniflux,
 * FreshRSS and the rest). The file is someone else's and may be hostile: it is refused whole,
 * before anything is imported, when it is too large, declares entities (billion laughs, XXE),
 * has too many outlines or is not OPML. Inside a good file, exports are messy in known ways
 * (HTML entities, missing `type`, `xmlurl` in lower case, a BOM, a Latin-1 prolog), and those
 * are read rather than refused. Streaming (sax) so that the outline cap stops work early.
 */

export interface OpmlLimits {
  maxBytes: number;
  maxOutlines: number;
  maxDepth: number;
}

/** 5 MiB holds about 25,000 outlines of a typical export; nobody follows more than 10,000 feeds. */
export const OPML_LIMITS: OpmlLimits = { maxBytes: 5 * 1024 * 1024, maxOutlines: 10_000, maxDepth: 64 };

const MAX_NAME_LENGTH = 200;
const MAX_URL_LENGTH = 4_096;
const MAX_MESSAGE_LENGTH = 300;

export class OpmlError extends Error {
  override readonly name = 'OpmlError';
}

/** One `<outline>` that is a subscription, or a leaf that looks as though it meant to be one. */
export interface OpmlEntry {
  /** 1-based line of the outline's start tag, for the report. */
  line: number;
  /** Titles of the folders it sits in, outermost first (flattened away on import). */
  folders: string[];
  xmlUrl?: string;
  htmlUrl?: string;
  /** Plain text from `title`, else `text` (entities decoded, also when double-escaped). */
  title?: string;
  language?: string;
  type?: string;
}

export interface OpmlDocument {
  title?: string;
  entries: OpmlEntry[];
  /** How the bytes were decoded, e.g. "utf-8" or "iso-8859-1". */
  charset: string;
}

interface Frame {
  name: string;
  /** Index in `entries` of this outline's entry, when it has one. */
  entry?: number;
  hasChildren: boolean;
  folderTitle?: string;
}

/** Reads at most one byte past the cap, so a huge file is refused without being loaded. */
export async function readOpmlFile(path: string, limits: OpmlLimits = OPML_LIMITS): Promise<OpmlDocument> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (size > limits.maxBytes) throw tooLarge(size, limits);
    const buffer = Buffer.alloc(limits.maxBytes + 1);
    // The size can change between stat and read (a file still being written): the cap holds anyway.
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await file.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return readOpml(buffer.subarray(0, length), limits);
  } finally {
    await file.close();
  }
}

function tooLarge(size: number, limits: OpmlLimits): OpmlError {
  return new OpmlError(`the file is ${size} bytes; OPML files over ${limits.maxBytes} bytes are refused`);
}

export function readOpml(bytes: Uint8Array, limits: OpmlLimits = OPML_LIMITS): OpmlDocument {
  if (bytes.byteLength > limits.maxBytes) {
    throw tooLarge(bytes.byteLength, limits);
  }
  const decoded = decodeBody(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), undefined);
  const text = refuseNonOpml(decoded.text);

  const entries: Array<OpmlEntry | undefined> = [];
  const stack: Frame[] = [];
  let outlines = 0;
  let title: string | undefined;
  let titleText: string | undefined;
  let sawBody = false;

  const parser = sax.parser(true, { strictEntities: true, position: true });
  const inBody = () => stack.some((frame) => frame.name === 'body');
  // sax reports a tag once its `>` is read; the report names the line where the tag starts.
  // The name is complete on the character after it, and if that was a line break sax has
  // already counted it (and reset the column).
  let tagLine = 1;
  parser.onopentagstart = () => {
    tagLine = parser.column === 0 ? parser.line : parser.line + 1;
  };
  parser.ondoctype = (doctype) => {
    // An internal subset or an external DTD is never needed by OPML, and only ever a risk.
    if (/\[|\bSYSTEM\b|\bPUBLIC\b/i.test(doctype)) throw new OpmlError('a DOCTYPE with a DTD is refused: OPML needs none');
  };
  parser.onopentag = (tag) => {
    const parent = stack.at(-1);
    if (!parent && tag.name !== 'opml') throw new OpmlError(`not OPML: the root element is <${truncate(tag.name, 50)}>`);
    if (parent) parent.hasChildren = true;
    if (tag.name === 'body' && stack.length === 1) sawBody = true;
    if (stack.length >= limits.maxDepth) throw new OpmlError(`outlines nested more than ${limits.maxDepth} deep`);
    const frame: Frame = { name: tag.name, hasChildren: false };
    stack.push(frame);
    if (tag.name === 'title' && parent?.name === 'head' && stack.length === 3) titleText = '';
    if (tag.name !== 'outline' || !inBody()) return;
    outlines += 1;
    if (outlines > limits.maxOutlines) throw new OpmlError(`more than ${limits.maxOutlines} outlines: refused`);
    const entry = outlineEntry(tag.attributes, tagLine, stack);
    frame.folderTitle = entry.title;
    frame.entry = entries.push(entry) - 1;
  };
  parser.ontext = (chunk) => {
    if (titleText !== undefined) titleText += chunk;
  };
  parser.oncdata = parser.ontext;
  parser.onclosetag = () => {
    const frame = stack.pop();
    if (titleText !== undefined && frame?.name === 'title') {
      title = plainText(titleText);
      titleText = undefined;
    }
    // An outline with children and no feed URL is a folder, not an entry.
    if (frame?.entry !== undefined && frame.hasChildren && entries[frame.entry]?.xmlUrl === undefined) {
      entries[frame.entry] = undefined;
    }
  };
  parser.onerror = (error) => {
    throw new OpmlError(describeSaxError(error));
  };

  try {
    parser.write(text).close();
  } catch (err) {
    if (err instanceof OpmlError) throw err;
    throw new OpmlError(describeSaxError(err));
  }
  if (!sawBody) throw new OpmlError('not OPML: <opml> has no <body>');

  const document: OpmlDocument = { entries: entries.filter((e): e is OpmlEntry => e !== undefined), charset: decoded.charset };
  if (title) document.title = title;
  return document;
}

/** Cheap refusals before the parser sees the text; the message says what the file looks like. */
function refuseNonOpml(text: string): string {
  if (text.trim() === '') throw new OpmlError('not OPML: the file is empty');
  if (declaresEntities(text)) {
    throw new OpmlError('a DOCTYPE with entity declarations is refused (entity expansion); OPML needs none');
  }
  const sniff = sniffDocument(text);
  if (looksLikeHtml(sniff)) throw new OpmlError('not OPML: looks like an HTML page');
  if (!sniff.startsWithTag) {
    const what = sniff.firstChar === '{' || sniff.firstChar === '[' ? 'looks like JSON' : 'the file does not start with a tag';
    throw new OpmlError(`not OPML: ${what}`);
  }
  if (sniff.root !== undefined && sniff.root !== 'opml') throw new OpmlError(`not OPML: the root element is <${sniff.root}>`);
  // Exports carry HTML entities (&nbsp;, &eacute;) and bare ampersands in URLs that XML lacks.
  return repairEntities(text);
}

function outlineEntry(attributes: Record<string, string>, line: number, stack: readonly Frame[]): OpmlEntry {
  // Attribute names in any case (`xmlUrl`, `xmlurl`, `XMLURL`); the first spelling wins.
  const byName = new Map<string, string>();
  for (const [name, value] of Object.entries(attributes)) {
    const key = name.toLowerCase();
    if (!byName.has(key)) byName.set(key, value);
  }
  const entry: OpmlEntry = {
    line,
    folders: stack.flatMap((frame) => (frame.name === 'outline' && frame.folderTitle ? [frame.folderTitle] : [])),
  };
  const xmlUrl = urlText(byName.get('xmlurl'));
  const htmlUrl = urlText(byName.get('htmlurl') ?? byName.get('url'));
  const title = plainText(byName.get('title')) ?? plainText(byName.get('text'));
  const language = plainText(byName.get('language'));
  const type = plainText(byName.get('type'));
  if (xmlUrl) entry.xmlUrl = xmlUrl;
  if (htmlUrl) entry.htmlUrl = htmlUrl;
  if (title) entry.title = title;
  if (language) entry.language = language;
  if (type) entry.type = type.toLowerCase();
  return entry;
}

/**
 * Titles are plain text, so `<Daily>` in one stays; but exporters often escape twice
 * (`&amp;amp;`, `&amp;#39;`), which one more decoding pass undoes.
 */
function plainText(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = truncate(stripUnsafeChars(decodeEntities(value)).replace(/\s+/g, ' ').trim(), MAX_NAME_LENGTH).trim();
  return text === '' ? undefined : text;
}

function urlText(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = stripUnsafeChars(value).trim();
  return text === '' ? undefined : truncate(text, MAX_URL_LENGTH);
}

/** sax says "Unexpected close tag\nLine: 3\nColumn: 5\nChar: >", lines counted from 0. */
function describeSaxError(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const [first = 'unreadable XML'] = raw.split('\n');
  const position = /\nLine: (\d+)\nColumn: (\d+)/.exec(raw);
  const where = position ? ` at line ${Number(position[1]) + 1}, column ${position[2]}` : '';
  return truncate(`malformed XML${where}: ${stripUnsafeChars(first)}`, MAX_MESSAGE_LENGTH);
}
