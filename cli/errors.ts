/** A mistake in how the command was called: exit code 2 and a one-line message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
