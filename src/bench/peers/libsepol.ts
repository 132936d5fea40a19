/**
 * libsepol as a peer, through the conformance harness (test/conformance/harness.c, built against the
 * static libsepol.a by test/conformance/build-harness.sh): `sepol_compute_av_reason` on a binary
 * policy — the Debian policy.33 as installed, or the embedded policy compiled with
 * `checkpolicy -M -c 33`. Decisions come from the harness's line mode; timing from its `--time`
 * mode (SID resolution excluded, repeated until --min-ms), so this row is the harness's own
 * ns/decision, not a tinybench median. libsepol has no AVC: it is a miss-path peer.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { benchError } from '../../errors.js';
import { embeddedPolicyPath, packageRoot } from '../../policy/load.js';
import { describeQuery, type Workload } from '../workload.js';
import type { ExternalPeer } from './peer.js';

export const LIBSEPOL_HINT = 'apt-get install selinux-policy-default checkpolicy libsepol-dev gcc';

/** The harness binary, built (or reused) by the conformance helper's script; a reason when unavailable. */
export function locateHarness(): { path: string } | { reason: string } {
  const script = join(packageRoot(), 'test', 'conformance', 'build-harness.sh');
  if (!existsSync(script)) return { reason: 'test/conformance/build-harness.sh is not in this checkout' };
  const r = spawnSync('bash', [script], { encoding: 'utf8' });
  if (r.status !== 0) return { reason: (r.stderr || r.stdout || `build-harness.sh exited ${String(r.status)}`).trim() };
  const path = r.stdout.trim().split('\n').pop() ?? '';
  return existsSync(path) ? { path } : { reason: `build-harness.sh printed no binary (${path})` };
}

/** The embedded policy as a binary policy.33, compiled once into the cache dir; a reason when impossible. */
export function compileEmbedded(): { path: string } | { reason: string } {
  const dir = join(process.env['SVIRT_CACHE_DIR'] ?? join(packageRoot(), 'node_modules', '.cache', 'svirt'), 'bench');
  const out = join(dir, 'svirt-embedded.33');
  try {
    mkdirSync(dir, { recursive: true });
    execFileSync('checkpolicy', ['-M', '-c', '33', '-o', out, embeddedPolicyPath()], { stdio: 'pipe' });
    return { path: out };
  } catch (e) {
    const err = e as { stderr?: Buffer; message?: string };
    return { reason: `checkpolicy cannot compile policies/svirt.conf: ${(err.stderr?.toString() || err.message || String(e)).trim().split('\n')[0]}` };
  }
}

export function prepareLibsepol(w: Workload, harness: string, policy: string, label: string): ExternalPeer {
  const input = w.queries.map((q) => describeQuery(w, q)).join('\n') + '\n';
  return {
    name: `libsepol (${label})`,
    note: 'sepol_compute_av_reason via the conformance harness --time; no cache',
    decideAll(out) {
      const r = spawnSync(harness, [policy], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
      if (r.status !== 0) throw benchError('peer-failed', `libsepol harness failed on ${policy}: ${r.stderr.trim()}`);
      const lines = r.stdout.split('\n').filter((l) => l.length > 0);
      if (lines.length !== w.queries.length) {
        throw benchError('peer-failed', `libsepol harness answered ${lines.length} lines for ${w.queries.length} queries`);
      }
      lines.forEach((line, i) => {
        const verdict = line.split('\t')[4] ?? '';
        if (verdict.startsWith('ERR')) throw benchError('peer-failed', `libsepol harness: ${verdict} on query #${i}: ${describeQuery(w, w.queries[i]!)}`);
        out[i] = verdict === 'allow' ? 1 : 0;
      });
    },
    time(minMs) {
      const r = spawnSync(harness, [policy, '--time', '--min-ms', String(minMs)], { input, encoding: 'utf8', maxBuffer: 1 << 24 });
      const m = /TIME decisions=(\d+) total_ns=(\d+) ns_per_decision=([\d.]+)/.exec(r.stdout);
      if (r.status !== 0 || !m) throw benchError('peer-failed', `libsepol harness --time failed: ${r.stderr.trim() || r.stdout.trim()}`);
      return { nsPerOp: Number(m[3]), ops: Number(m[1]) };
    },
  };
}
