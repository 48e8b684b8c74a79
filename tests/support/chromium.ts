import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/**
 * The browser the web page's tests drive: Debian's Chromium, or any Chromium/Chrome binary named
 * by FUNDWATCH_CHROMIUM. Playwright's own browser download cannot work on a machine that reaches
 * only package registries, so the suite provisions the Debian package itself.
 */
export const CHROMIUM_PATH = process.env.FUNDWATCH_CHROMIUM ?? '/usr/bin/chromium';

/** Headless, and quiet on a closed network: no background requests, updates, sync or QUIC. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export const INSTALL_COMMAND = 'sudo apt-get install -y chromium';

const isExecutable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const hasCommand = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;

export class ChromiumMissingError extends Error {
  constructor(reason: string) {
    super(
      `Chromium is needed by the web page's browser tests (tests/e2e) and is not at ${CHROMIUM_PATH}: ${reason}. ` +
        `Install it with \`${INSTALL_COMMAND}\` (Debian/Ubuntu), or set FUNDWATCH_CHROMIUM to a Chromium or Chrome binary.`,
    );
    this.name = 'ChromiumMissingError';
  }
}

export interface ProvisionSteps {
  /** Runs one command, output shown; answers its exit status. */
  run(command: string, args: string[], env?: Record<string, string>): number;
  canInstall(): { ok: true } | { ok: false; reason: string };
  exists(path: string): boolean;
  log(line: string): void;
}

const realSteps: ProvisionSteps = {
  run(command, args, env) {
    const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
    return result.status ?? 1;
  },
  canInstall() {
    if (!hasCommand('apt-get')) return { ok: false, reason: 'this machine has no apt-get to install it with' };
    if (process.getuid?.() !== 0) return { ok: false, reason: 'installing it needs root, and the tests run as another user' };
    return { ok: true };
  },
  exists: isExecutable,
  log: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Makes sure the browser is there before the browser tests start: a no-op when it is; otherwise,
 * as root on Debian/Ubuntu, installs Debian's `chromium` package (once per machine) and says so;
 * otherwise fails with the exact command that would fix it.
 */
export function ensureChromium(steps: ProvisionSteps = realSteps): 'present' | 'installed' {
  if (steps.exists(CHROMIUM_PATH)) return 'present';
  if (process.env.FUNDWATCH_CHROMIUM) throw new ChromiumMissingError('FUNDWATCH_CHROMIUM names no executable file');
  const can = steps.canInstall();
  if (!can.ok) throw new ChromiumMissingError(can.reason);
  steps.log(`fundwatch tests: ${CHROMIUM_PATH} is missing; installing Debian's chromium package with apt-get (once per machine, about a minute)…`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (steps.run('apt-get', ['update', '-qq'], env) !== 0) throw new ChromiumMissingError('`apt-get update` failed');
  if (steps.run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], env) !== 0) {
    throw new ChromiumMissingError('`apt-get install chromium` failed');
  }
  if (!steps.exists(CHROMIUM_PATH)) throw new ChromiumMissingError('the chromium package installed no binary there');
  steps.log(`fundwatch tests: installed ${CHROMIUM_PATH}.`);
  return 'installed';
}
