/**
 * Feed dates as ISO 8601. RSS uses RFC 822 ("Tue, 10 Jun 2003 04:00:00 GMT"), Atom and dc:date
 * ISO 8601; both parse natively. Many publishers use zone abbreviations the JavaScript parser does
 * not know, which we map to offsets rather than lose the date.
 */

const MAX_FUTURE_MS = 24 * 3_600_000;

// Abbreviations seen in European and Asian feeds; JavaScript itself knows UT/GMT/Z and US zones.
const ZONE_OFFSETS = new Map([
  ['UTC', '+0000'], ['WET', '+0000'], ['WEST', '+0100'], ['BST', '+0100'], ['CET', '+0100'],
  ['CEST', '+0200'], ['MEZ', '+0100'], ['MESZ', '+0200'], ['EET', '+0200'], ['EEST', '+0300'],
  ['MSK', '+0300'], ['IST', '+0530'], ['JST', '+0900'], ['KST', '+0900'], ['AEST', '+1000'],
  ['AEDT', '+1100'],
]);

/** Milliseconds since the epoch, or undefined when the text is not a usable date. */
export function parseFeedDate(text: string | undefined): number | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim().slice(0, 100);
  if (trimmed === '') return undefined;
  let ms = Date.parse(trimmed);
  if (Number.isNaN(ms)) {
    const zone = /\s([A-Z]{3,4})$/.exec(trimmed);
    const offset = zone ? ZONE_OFFSETS.get(zone[1]!) : undefined;
    if (offset) ms = Date.parse(`${trimmed.slice(0, zone!.index)} ${offset}`);
  }
  if (Number.isNaN(ms)) return undefined;
  // Outside these years toISOString() produces six-digit or negative years no consumer expects.
  const year = new Date(ms).getUTCFullYear();
  return year < 1 || year > 9999 ? undefined : ms;
}

/**
 * The entry's publication time, or the fetch time when the feed gave none, gave garbage, or
 * claims a time more than a day ahead (which would pin the item to the top of every listing).
 */
export function publishedAtOf(text: string | undefined, fetchedAt: string): string {
  const ms = parseFeedDate(text);
  if (ms === undefined) return fetchedAt;
  const fetchedMs = Date.parse(fetchedAt);
  if (!Number.isNaN(fetchedMs) && ms > fetchedMs + MAX_FUTURE_MS) return fetchedAt;
  return new Date(ms).toISOString();
}
