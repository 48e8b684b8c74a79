import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AlertEmail } from '#shared/model.ts';
import type { AlertPublisher } from '#shared/alerts/ports.ts';

export interface OutboxPublisherOptions {
  /** The data dir; emails go to `<dataDir>/outbox/`. */
  dataDir: string;
  /** Where each email is also printed (the terminal), if anywhere. */
  out?: { write(chunk: string): unknown };
  now?: () => Date;
}

/** The text of an outbox file: `Subject:`, `Topic:` and `Mode:` lines, a blank line, the body. */
export function formatOutboxEmail(email: AlertEmail): string {
  const body = email.body.endsWith('\n') ? email.body : `${email.body}\n`;
  return `Subject: ${email.subject}\nTopic: ${email.topic}\nMode: ${email.mode}\n\n${body}`;
}

/** `20240403T091200Z-ukraine-fund-instant-1a2b3c4d.txt`: sorts by time, unique per email. */
export function outboxFileName(email: AlertEmail, at: Date): string {
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  const topic = email.topic.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'topic';
  const hash = createHash('sha256').update(formatOutboxEmail(email)).update(email.itemIds.join('\n')).digest('hex');
  return `${stamp}-${topic}-${email.mode}-${hash.slice(0, 8)}.txt`;
}

/**
 * The local stand-in for SNS: what a subscriber would receive, one file per email, written
 * atomically (temp file, then rename) so a reader never sees half an email.
 */
export class OutboxPublisher implements AlertPublisher {
  readonly dir: string;

  constructor(private readonly options: OutboxPublisherOptions) {
    this.dir = join(options.dataDir, 'outbox');
  }

  async publish(email: AlertEmail): Promise<void> {
    const text = formatOutboxEmail(email);
    const name = outboxFileName(email, (this.options.now ?? (() => new Date()))());
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, name);
    const temp = join(this.dir, `.${name}.${process.pid}.tmp`);
    await writeFile(temp, text, 'utf8');
    await rename(temp, path);
    this.options.out?.write(`──── email → ${path}\n${text}────\n`);
  }
}
