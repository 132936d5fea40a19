/**
 * Binary policy load benchmark (tinybench 6): readBinaryPolicy on Debian's policy.33 next to
 * libsepol's policydb_read on the same file, measured in the same run.
 *
 *   ours      median ms of readBinaryPolicy(bytes) (file already in memory), tinybench samples
 *   libsepol  median ms of policydb_init + policydb_read from memory, timed by
 *             test/conformance/load-time.c compiled here with gcc against the static libsepol.a
 *
 * Target: ours within 3x of libsepol. The machine is shared and noisy: both figures are medians and
 * the libsepol run is interleaved between two halves of our samples.
 *
 * Run: npx tsx bench/binary-load.bench.ts [--time ms] [--json] [--policy PATH]
 * Needs: /etc/selinux/default/policy/policy.33 (selinux-policy-default); for the peer figure gcc and
 * /usr/lib/x86_64-linux-gnu/libsepol.a (libsepol-dev). Without the peer, only our figure is printed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { readBinaryPolicy } from '../src/policy/binary.js';
import { flagValue, hasFlag, isMainModule } from './script.js';

export interface BinaryLoadReport {
  policy: string;
  bytes: number;
  /** median ms per readBinaryPolicy */
  oursMs: number;
  samples: number;
  /** median ms per libsepol policydb_read, undefined when the peer could not be built */
  libsepolMs?: number;
  /** oursMs / libsepolMs */
  ratio?: number;
}

const DEFAULT_POLICY = '/etc/selinux/default/policy/policy.33';
const LIBSEPOL_A = '/usr/lib/x86_64-linux-gnu/libsepol.a';

/** Build load-time.c into a temp dir; undefined when gcc or libsepol.a is missing. */
function buildPeer(): string | undefined {
  if (!existsSync(LIBSEPOL_A)) return undefined;
  const src = fileURLToPath(new URL('../test/conformance/load-time.c', import.meta.url));
  const out = join(mkdtempSync(join(tmpdir(), 'svirt-load-time-')), 'load-time');
  try {
    execFileSync('gcc', ['-O2', '-o', out, src, LIBSEPOL_A], { stdio: 'pipe' });
    return out;
  } catch {
    return undefined;
  }
}

function runPeer(exe: string, policy: string, iterations: number): number {
  const out = execFileSync(exe, [policy, String(iterations)], { encoding: 'utf8' });
  const parsed = JSON.parse(out.trim()) as { medianMs: number };
  return parsed.medianMs;
}

async function oursHalf(bytes: Uint8Array, time: number): Promise<number[]> {
  const bench = new Bench({ time, warmup: true, warmupIterations: 3, retainSamples: true });
  bench.add('readBinaryPolicy', () => {
    readBinaryPolicy(bytes);
  });
  await bench.run();
  const res = bench.tasks[0]!.result as { latency?: { samples?: number[]; p50: number } };
  if (!res.latency) throw new Error('tinybench produced no latency statistics');
  return res.latency.samples ?? [res.latency.p50];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function runBinaryLoadBench(options: { time?: number; policy?: string } = {}): Promise<BinaryLoadReport> {
  const policy = options.policy ?? DEFAULT_POLICY;
  if (!existsSync(policy)) throw new Error(`${policy} not found — apt-get install selinux-policy-default`);
  const bytes = new Uint8Array(readFileSync(policy));
  const time = options.time ?? 3000;
  const peer = buildPeer();
  const first = await oursHalf(bytes, time / 2);
  const libsepolMs = peer ? runPeer(peer, policy, 30) : undefined;
  const second = await oursHalf(bytes, time / 2);
  const samples = [...first, ...second];
  const oursMs = median(samples);
  const report: BinaryLoadReport = { policy, bytes: bytes.length, oursMs, samples: samples.length };
  if (libsepolMs !== undefined) {
    report.libsepolMs = libsepolMs;
    report.ratio = oursMs / libsepolMs;
  }
  return report;
}

if (isMainModule(import.meta.url)) {
  const time = flagValue('--time');
  const policyArg = flagValue('--policy');
  const report = await runBinaryLoadBench({
    ...(time !== undefined ? { time: Number(time) } : {}),
    ...(policyArg !== undefined ? { policy: policyArg } : {}),
  });
  if (hasFlag('--json')) {
    console.log(JSON.stringify(report));
  } else {
    console.log(`binary policy load: ${report.policy} (${(report.bytes / 1e6).toFixed(2)} MB)`);
    console.log(`  readBinaryPolicy      median ${report.oursMs.toFixed(1)} ms  (${report.samples} samples)`);
    if (report.libsepolMs !== undefined) {
      console.log(`  libsepol policydb_read median ${report.libsepolMs.toFixed(1)} ms`);
      console.log(`  ratio ours/libsepol   ${report.ratio!.toFixed(2)}x  (target <= 3x)`);
    } else {
      console.log('  libsepol peer unavailable (needs gcc and libsepol-dev)');
    }
  }
}
