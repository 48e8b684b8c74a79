/** The host (with port) that politeness limits count requests against; a bad URL counts as its own host. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
