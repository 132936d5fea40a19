/**
 * Test helper: locate the Debian binary policy and compile fixture policies with checkpolicy into a
 * temp dir. Tests that need them skip with a loud warning naming the packages to install.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEBIAN_POLICY = '/etc/selinux/default/policy/policy.33';
export const INSTALL_HINT = 'apt-get install selinux-policy-default checkpolicy libsepol-dev';
export const FIXTURE_CONF = fileURLToPath(new URL('./fixtures/binary-mini.conf', import.meta.url));

function which(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const HAVE_CHECKPOLICY = which('checkpolicy');
export const HAVE_SEINFO = which('seinfo');
export const HAVE_DEBIAN_POLICY = existsSync(DEBIAN_POLICY);

export function warnSkip(what: string): void {
  console.warn(`\n*** SKIPPED: ${what} — install with: ${INSTALL_HINT} ***\n`);
}

let tmp: string | undefined;
export function tempDir(): string {
  tmp ??= mkdtempSync(join(tmpdir(), 'svirt-binary-'));
  return tmp;
}

const compiled = new Map<string, Uint8Array>();

/**
 * Compile a policy.conf text with `checkpolicy -M -c VERSION` (MLS on); cached per (text, version).
 * Throws when checkpolicy fails.
 */
export function compilePolicy(confText: string, version: number, tag = 'fixture'): Uint8Array {
  const key = `${version}\0${confText}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  const dir = tempDir();
  const conf = join(dir, `${tag}-${compiled.size}.conf`);
  const out = join(dir, `${tag}-${compiled.size}.${version}`);
  writeFileSync(conf, confText);
  execFileSync('checkpolicy', ['-M', '-c', String(version), '-o', out, conf], { stdio: 'pipe' });
  const bytes = new Uint8Array(readFileSync(out));
  compiled.set(key, bytes);
  return bytes;
}

export function fixtureText(): string {
  return readFileSync(FIXTURE_CONF, 'utf8');
}

/**
 * The fixture reduced to what older policy versions can express: no xperms (< 30), no glblub
 * (< 32), no default_type (< 28), no other defaults (< 27).
 */
export function fixtureTextFor(version: number): string {
  return fixtureText()
    .split('\n')
    .filter((line) => {
      if (version < 30 && /xperm/.test(line)) return false;
      if (version < 32 && /glblub/.test(line)) return false;
      if (version < 28 && /^default_type/.test(line)) return false;
      if (version < 27 && /^default_/.test(line)) return false;
      return true;
    })
    .join('\n');
}
