import { describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, ChromiumMissingError, ensureChromium, INSTALL_COMMAND, type ProvisionSteps } from '#tests/support/chromium.ts';

/** Provisioning steps that record what would run; `installs` says whether apt-get brings the binary. */
function steps(options: { present?: boolean; canInstall?: boolean; exitCodes?: number[]; installs?: boolean }) {
  let present = options.present ?? false;
  const ran: string[] = [];
  const logs: string[] = [];
  const exitCodes = [...(options.exitCodes ?? [0, 0])];
  const s: ProvisionSteps = {
    run(command, args, env) {
      ran.push(`${env?.DEBIAN_FRONTEND ?? ''} ${command} ${args.join(' ')}`.trim());
      const code = exitCodes.shift() ?? 0;
      if (code === 0 && args[0] === 'install' && (options.installs ?? true)) present = true;
      return code;
    },
    canInstall: () => (options.canInstall ?? true ? { ok: true } : { ok: false, reason: 'installing it needs root' }),
    exists: (path) => path === CHROMIUM_PATH && present,
    log: (line) => logs.push(line),
  };
  return { s, ran, logs };
}

describe('ensureChromium', () => {
  it('does nothing when the browser is there', () => {
    const { s, ran, logs } = steps({ present: true });
    expect(ensureChromium(s)).toBe('present');
    expect(ran).toEqual([]);
    expect(logs).toEqual([]);
  });

  it("installs Debian's chromium package when it is missing, and says so", () => {
    const { s, ran, logs } = steps({});
    expect(ensureChromium(s)).toBe('installed');
    expect(ran).toEqual([
      'noninteractive apt-get update -qq',
      'noninteractive apt-get install -y -qq --no-install-recommends chromium',
    ]);
    expect(logs[0]).toMatch(/missing; installing Debian's chromium package with apt-get/);
    expect(logs.at(-1)).toBe(`fundwatch tests: installed ${CHROMIUM_PATH}.`);
  });

  it('names the exact command when it cannot install', () => {
    const { s, ran } = steps({ canInstall: false });
    expect(() => ensureChromium(s)).toThrow(ChromiumMissingError);
    expect(() => ensureChromium(s)).toThrow(`Install it with \`${INSTALL_COMMAND}\``);
    expect(() => ensureChromium(s)).toThrow(/needs root/);
    expect(ran).toEqual([]);
  });

  it('fails with the step that failed', () => {
    expect(() => ensureChromium(steps({ exitCodes: [100] }).s)).toThrow(/`apt-get update` failed.*sudo apt-get install -y chromium/);
    expect(() => ensureChromium(steps({ exitCodes: [0, 100] }).s)).toThrow(/`apt-get install chromium` failed/);
    expect(() => ensureChromium(steps({ installs: false }).s)).toThrow(/installed no binary there/);
  });
});
