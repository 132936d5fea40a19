/**
 * Plumbing for the new-object label conformance suite and benchmark: build and run
 * transition-harness.c (libsepol's sepol_transition_sid / member / change / validate_transition),
 * and read file-name type_transition rules with setools' `sesearch -T`, which libsepol cannot
 * answer (sepol_transition_sid takes no object name). Nothing here computes a label.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './sepol.js';

export const TRANSITION_INSTALL_HINT = 'apt-get install selinux-policy-default checkpolicy libsepol-dev setools gcc';
const SOURCE = join(REPO_ROOT, 'test', 'conformance', 'transition-harness.c');
/** shared with harness.c; a change to it rebuilds the harness too */
const COMMON_HEADER = join(REPO_ROOT, 'test', 'conformance', 'sepol-common.h');

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** The static libsepol.a from libsepol-dev, or undefined. */
function staticLibsepol(): string | undefined {
  const listed = spawnSync('dpkg', ['-L', 'libsepol-dev'], { encoding: 'utf8' });
  const fromDpkg = listed.status === 0 ? listed.stdout.split('\n').find((l) => l.endsWith('/libsepol.a')) : undefined;
  if (fromDpkg && existsSync(fromDpkg)) return fromDpkg;
  return ['/usr/lib/x86_64-linux-gnu/libsepol.a', '/usr/lib/aarch64-linux-gnu/libsepol.a', '/usr/lib64/libsepol.a', '/usr/lib/libsepol.a'].find((p) => existsSync(p));
}

/** Why the suite cannot run here (the caller skips loudly), or undefined. */
export function transitionToolsMissing(): string | undefined {
  if (!existsSync('/etc/selinux/default/policy/policy.33')) return '/etc/selinux/default/policy/policy.33 is missing';
  if (!onPath('checkpolicy')) return 'checkpolicy is missing';
  if (!onPath('sesearch')) return 'sesearch (setools) is missing';
  if (!onPath('gcc')) return 'gcc is missing';
  if (!existsSync('/usr/include/sepol/policydb/services.h') || !staticLibsepol()) return 'libsepol-dev (headers and static libsepol.a) is missing';
  return undefined;
}

export function warnTransitionSkip(suite: string, reason: string): void {
  console.warn(`\n*** ${suite}: SKIPPED — ${reason}. Install with: ${TRANSITION_INSTALL_HINT} ***\n`);
}

/** Compile transition-harness.c against libsepol.a into the cache directory (only when stale). */
export function buildTransitionHarness(): string {
  const lib = staticLibsepol();
  if (!lib) throw new Error(`transition harness: static libsepol.a not found (${TRANSITION_INSTALL_HINT})`);
  const dir = join(process.env['SVIRT_CACHE_DIR'] ?? join(REPO_ROOT, 'node_modules', '.cache', 'svirt'), 'conformance');
  mkdirSync(dir, { recursive: true });
  const bin = join(dir, 'transition-harness');
  const stale = !existsSync(bin) || [SOURCE, COMMON_HEADER, lib].some((f) => statSync(f).mtimeMs > statSync(bin).mtimeMs);
  if (stale) {
    const tmp = `${bin}.tmp.${process.pid}`;
    execFileSync('gcc', ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Wno-unused-parameter', '-o', tmp, SOURCE, lib], { stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync('mv', ['-f', tmp, bin]);
  }
  return bin;
}

/** Run the harness over `kind SCON TCON CLASS` / `validatetrans OLD NEW TASK CLASS` lines. */
export function runTransitionHarness(harness: string, policy: string, lines: readonly string[], extraArgs: readonly string[] = []): string[] {
  const res = spawnSync(harness, [policy, ...extraArgs], { input: `${lines.join('\n')}\n`, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (res.status !== 0) throw new Error(`transition harness failed (${res.status}): ${res.stderr}`);
  const out = res.stdout.split('\n');
  if (out[out.length - 1] === '') out.pop();
  return out;
}

/** `--time`: libsepol's ns per sepol_transition_sid over the create lines. */
export function timeTransitionHarness(harness: string, policy: string, lines: readonly string[], minMs = 500): { decisions: number; nsPerDecision: number } {
  const out = runTransitionHarness(harness, policy, lines, ['--time', '--min-ms', String(minMs)]).join('\n');
  const m = /TIME decisions=(\d+) total_ns=(\d+) ns_per_decision=([\d.]+)/.exec(out);
  if (!m) throw new Error(`transition harness --time printed: ${out}`);
  return { decisions: Number(m[1]), nsPerDecision: Number(m[3]) };
}

export interface NameTransition {
  readonly source: string;
  readonly target: string;
  readonly tclass: string;
  readonly result: string;
  readonly name: string;
}

/**
 * File-name transitions as setools 4.4 prints them (`sesearch -T POLICY`), one expanded source
 * type a line, the name unquoted:
 *   type_transition admin_mail_t user_home_dir_t:dir mail_home_rw_t .maildir;
 */
export function sesearchNameTransitions(policy: string): NameTransition[] {
  const text = execFileSync('sesearch', ['-T', policy], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const out: NameTransition[] = [];
  for (const line of text.split('\n')) {
    const m = /^type_transition (\S+) (\S+):(\S+) (\S+) (.+);$/.exec(line);
    if (!m || m[5]!.startsWith('[')) continue;
    const name = m[5]!.startsWith('"') && m[5]!.endsWith('"') ? m[5]!.slice(1, -1) : m[5]!;
    out.push({ source: m[1]!, target: m[2]!, tclass: m[3]!, result: m[4]!, name });
  }
  return out;
}
