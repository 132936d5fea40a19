/**
 * Plumbing shared by the conformance tests and bench/conformance.bench.ts: find Debian's policy and
 * tools, build and run the libsepol harness (harness.c), and compare its output with ours.
 * Nothing here decides access; it only moves query lines between the two implementations.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEBIAN_POLICY = '/etc/selinux/default/policy/policy.33';
export const INSTALL_HINT = 'apt-get install selinux-policy-default checkpolicy libsepol-dev';

/** The directory holding package.json, walking up from this file (works from test/ and dist/test/). */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('conformance: package.json not found above this file');
    dir = up;
  }
}

export const REPO_ROOT = findRepoRoot();
export const EMBEDDED_CONF = join(REPO_ROOT, 'policies', 'svirt.conf');
const BUILD_SCRIPT = join(REPO_ROOT, 'test', 'conformance', 'build-harness.sh');

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Why the Debian-based suites cannot run here, or undefined when they can. */
export function debianMissing(): string | undefined {
  if (!existsSync(DEBIAN_POLICY)) return `${DEBIAN_POLICY} is missing`;
  if (!onPath('checkpolicy')) return 'checkpolicy is missing';
  if (!onPath('gcc')) return 'gcc is missing';
  if (!existsSync('/usr/include/sepol/policydb/services.h')) return 'libsepol-dev (headers and static libsepol.a) is missing';
  return undefined;
}

/** Loud skip notice for a suite that needs Debian's packages. */
export function warnSkip(suite: string, reason: string): void {
  console.warn(`\n*** ${suite}: SKIPPED — ${reason}. Install with: ${INSTALL_HINT} ***\n`);
}

/** Build (or reuse) the harness; returns the binary path, or throws with the build script's message. */
export function buildHarness(): string {
  return execFileSync(BUILD_SCRIPT, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** A fresh temp dir for one test run. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** `checkpolicy -M -b policy.33 -F -o DIR/debian.conf` — the exact command CI uses. */
export function debianConfText(dir: string): { path: string; text: string } {
  const path = join(dir, 'debian.conf');
  execFileSync('checkpolicy', ['-M', '-b', DEBIAN_POLICY, '-F', '-o', path], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { path, text: readFileSync(path, 'utf8') };
}

/** `checkpolicy -M -c 33 -o DIR/NAME.bin CONF` */
export function compilePolicy(conf: string, dir: string, name: string): string {
  const out = join(dir, `${name}.bin`);
  execFileSync('checkpolicy', ['-M', '-c', '33', '-o', out, conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

/** Run the harness over query lines; returns its output lines. */
export function runHarness(harness: string, policy: string, lines: readonly string[], extraArgs: readonly string[] = []): string[] {
  const res = spawnSync(harness, [policy, ...extraArgs], { input: `${lines.join('\n')}\n`, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (res.status !== 0) throw new Error(`harness failed (${res.status}): ${res.stderr}`);
  const out = res.stdout.split('\n');
  if (out[out.length - 1] === '') out.pop();
  return out;
}

/** `harness --time`: libsepol's ns per sepol_compute_av_reason over the lines. */
export function harnessTime(harness: string, policy: string, lines: readonly string[], minMs = 500, extraArgs: readonly string[] = []): { decisions: number; nsPerDecision: number } {
  const out = runHarness(harness, policy, lines, [...extraArgs, '--time', '--min-ms', String(minMs)]).join('\n');
  const m = /TIME decisions=(\d+) total_ns=(\d+) ns_per_decision=([\d.]+)/.exec(out);
  if (!m) throw new Error(`harness --time printed: ${out}`);
  return { decisions: Number(m[1]), nsPerDecision: Number(m[3]) };
}

export interface Mismatch {
  readonly label: string;
  readonly index: number;
  readonly expected: string;
  readonly actual: string;
}

/** Line-by-line comparison; both sides must have answered the same queries in the same order. */
export function compareLines(label: string, expected: readonly string[], actual: readonly string[]): Mismatch[] {
  const out: Mismatch[] = [];
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i] ?? '<missing>';
    const a = actual[i] ?? '<missing>';
    if (e !== a) out.push({ label, index: i, expected: e, actual: a });
  }
  return out;
}

/** Human-readable description of one mismatch: the query and the differing columns. */
export function describeMismatch(m: Mismatch): string {
  const cols = ['SCONTEXT', 'TCONTEXT', 'TCLASS', 'REQUESTED', 'VERDICT', 'ALLOWED'];
  const e = m.expected.split('\t');
  const a = m.actual.split('\t');
  const diffs = cols.filter((_, i) => e[i] !== a[i]).map((c) => {
    const i = cols.indexOf(c);
    return `    ${c}: libsepol=${JSON.stringify(e[i] ?? '')} svirt=${JSON.stringify(a[i] ?? '')}`;
  });
  return [`  [${m.label} #${m.index}] ${e.slice(0, 3).join(' ')}`, ...diffs].join('\n');
}

/** Verdict tallies of output lines (allow / deny / none / ERR). */
export function tallyVerdicts(lines: readonly string[]): Record<string, number> {
  const t: Record<string, number> = { allow: 0, deny: 0, none: 0, error: 0, bool: 0 };
  for (const l of lines) {
    const v = l.split('\t')[4] ?? '';
    if (v === 'allow') t.allow!++;
    else if (v === '-') t.none!++;
    else if (v.startsWith('ERR:')) t.error!++;
    else {
      t.deny!++;
      if (v.endsWith('BOOL')) t.bool!++;
    }
  }
  return t;
}
