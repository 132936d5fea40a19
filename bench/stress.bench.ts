/**
 * Stress simulator benchmark: throughput of the closed-loop simulation with 1 and with 2 worker
 * threads measured in the same run (ratio = scaling), checkMany throughput through the same pool,
 * and peak RSS of a 100,000-guest run.
 *
 * Each figure is the median of `--rounds` runs (default 3) of a fixed number of operations after a
 * warm-up run, so AVC hits dominate (steady state). Whole runs are the samples: a run does millions
 * of checks, so per-call timer overhead is irrelevant (tinybench's advice for sub-µs work).
 *
 * Run (needs `npm run build` for dist/src/sim/worker.js):
 *   npx tsx bench/stress.bench.ts [--ops N] [--rounds N] [--attack-ratio R] [--json]
 */
import { Bench } from 'tinybench';
import { loadEmbeddedPolicy } from '../src/policy/load.js';
import { createSecurityServer } from '../src/security/server.js';
import { CheckPool } from '../src/sim/check-many.js';
import { resolveOptions } from '../src/sim/options.js';
import { runStress } from '../src/sim/stress.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const ops = arg('--ops', '8000000');
const rounds = Number(arg('--rounds', '3'));
const attackRatio = arg('--attack-ratio', '0.25');

async function simRate(workers: number): Promise<number> {
  const run = await runStress(resolveOptions({ ops, workers: String(workers), seed: '1', attackRatio }, () => 1));
  if (run.verdict.status !== 'PASS') throw new Error(`benchmark run failed its verdict: ${run.verdict.failures.join('; ')}`);
  // ops over the span from the first chunk's start to the last chunk's end: excludes pool start-up
  return (run.metrics.ops * 1000) / (run.metrics.lastEndMs - run.metrics.firstStartMs);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const results: Record<string, number> = {};
const bench = new Bench({ iterations: rounds, time: 0, warmup: false });
const one: number[] = [];
const two: number[] = [];
await simRate(2); // warm-up: JIT, Wasm compilation cache
bench.add('stress 1 worker', async () => void one.push(await simRate(1)));
bench.add('stress 2 workers', async () => void two.push(await simRate(2)));
await bench.run();
results['sim1WorkerOpsPerSec'] = median(one);
results['sim2WorkersOpsPerSec'] = median(two);
results['scaling2over1'] = results['sim2WorkersOpsPerSec']! / results['sim1WorkerOpsPerSec']!;

// checkMany: 4M checks over a small hot set (AVC hits), 2 workers
{
  const server = createSecurityServer(loadEmbeddedPolicy());
  const s = Array.from({ length: 64 }, (_, g) => server.contextToSid(`system_u:system_r:svirt_t:s0:c${g},c${g + 500}`));
  const t = Array.from({ length: 64 }, (_, g) => server.contextToSid(`system_u:object_r:svirt_image_t:s0:c${g},c${g + 500}`));
  const file = server.classValue('file');
  const read = server.permMask(file, ['read']);
  const n = 4_000_000;
  const q = { ssid: new Uint32Array(n), tsid: new Uint32Array(n), tclass: new Uint32Array(n).fill(file), requested: new Uint32Array(n).fill(read) };
  for (let i = 0; i < n; i++) {
    q.ssid[i] = s[i & 63]!;
    q.tsid[i] = t[(i >> 6) & 63]!;
  }
  const pool = new CheckPool(server, { workers: 2, sliceSize: 1 << 18 });
  await pool.checkMany(q);
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    await pool.checkMany(q);
    rates.push((n * 1000) / (performance.now() - t0));
  }
  await pool.close();
  results['checkManyChecksPerSec'] = median(rates);
}

// 100,000 guests: bounded memory
{
  const run = await runStress(resolveOptions({ guests: '100000', ops: '2000000', workers: '2', seed: '1', attackRatio }, () => 1));
  results['guests100kPeakRssMB'] = Math.round(run.peakRssBytes / 1e6);
  results['guests100kVerdictPass'] = run.verdict.status === 'PASS' ? 1 : 0;
}

if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 2));
else for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(24)} ${Number.isInteger(v) ? v : v.toFixed(2)}`);
