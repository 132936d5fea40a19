/**
 * Stress simulator benchmark (issue 5 item 8).
 *
 *   sim N workers     the whole simulator: every lane replays its ring through the engine, every
 *                     answer verified and counted (PASS verdict required); checks/s = operations
 *                     counted / (last chunk end − first chunk start), all workers together
 *   engine N workers  in the SAME run, pool, threads and warm AVCs (protocol.ts EngineTask): the
 *                     engine alone over the same rings (pages copied in, nothing judged), and
 *                     `enginePage`: one page checked over and over (the AVC-hit ceiling)
 *   scaling           2 workers / 1 worker, rounds interleaved in one process (1, 2, 1, 2, …)
 *   interference      in the 2-worker pool, each worker's engine rate alone (the other idle) and
 *                     with both busy: their ratio shows whether workers slow each other down
 *   checkMany         the pool as a library call (4M checks, 2 workers)
 *   100,000 guests    child processes of the compiled CLI at two --ops sizes: peak RSS must not
 *                     grow with the operation count (memory is O(guests + ring), not O(ops))
 *
 * Whole runs are the samples (hundreds of millions of checks each, so the first chunk's warm-up —
 * worker start, Wasm tier-up, the first judged pass over each ring — is a small share), medians of
 * --rounds interleaved rounds; tinybench drives each round. The load average is printed with the
 * results (noisy 2-core box).
 *
 * Run (needs `npm run build` for dist/): npx tsx bench/stress.bench.ts [--ops N] [--rounds N]
 *   [--ring N] [--attack-ratio R] [--guests N] [--json]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Bench } from 'tinybench';
import { loadEmbeddedPolicy } from '../src/policy/load.js';
import { createSecurityServer } from '../src/security/server.js';
import { CheckPool } from '../src/sim/check-many.js';
import { resolveOptions } from '../src/sim/options.js';
import type { EngineResult } from '../src/sim/protocol.js';
import { runStress } from '../src/sim/stress.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const ops = arg('--ops', '256000000');
const rounds = Number(arg('--rounds', '3'));
const ring = arg('--ring', '16384');
const guests = arg('--guests', '256');
const attackRatio = arg('--attack-ratio', '0.25');
const batch = 4096;

interface Pair {
  sim: number;
  /** engine alone over the same rings (checked in place, no judging) */
  engine: number;
  /** per worker: its lane's engine rate with the other workers idle, then with all of them busy */
  alone: number[];
  together: number[];
  /** engine alone, one page repeated: the AVC-hit ceiling */
  page: number;
  hitRate: number;
  /** share of the workers' chunk time spent inside engine calls */
  inEngine: number;
}

/** One simulator run, then the pure engine on the same pool: checks/s of each. */
async function simAndEngine(workers: number): Promise<Pair> {
  let engine = 0;
  let page = 0;
  let alone: number[] = [];
  let together: number[] = [];
  const run = await runStress(resolveOptions({ ops, workers: String(workers), seed: '1', attackRatio, ring, guests, batch: String(batch) }, () => 1), {
    afterLanes: async ({ pool, lanes, policyGen, boolGen }) => {
      // as many checks per lane as the simulator did, so the figures cover the same amount of work
      const batches = Math.ceil(Number(ops) / lanes / batch);
      const task = (mode: 'ring' | 'page', lane: number) => pool.run<EngineResult>({ kind: 'engine', mode, lane, batches, batchSize: batch, policyGen, boolGen });
      const own = (r: EngineResult): number => (r.checks * 1000) / (r.endMs - r.startMs);
      for (const mode of ['ring', 'page'] as const) {
        const rs = await Promise.all(Array.from({ length: lanes }, (_, lane) => task(mode, lane)));
        const checks = rs.reduce((a, r) => a + r.checks, 0);
        const rate = (checks * 1000) / (Math.max(...rs.map((r) => r.endMs)) - Math.min(...rs.map((r) => r.startMs)));
        if (mode === 'ring') {
          engine = rate;
          together = rs.map(own);
        } else page = rate;
      }
      // each worker on its own, the others idle: does running together slow a worker down?
      alone = [];
      for (let lane = 0; lane < lanes; lane++) alone.push(own(await task('ring', lane)));
    },
  });
  if (run.verdict.status !== 'PASS') throw new Error(`benchmark run failed its verdict: ${run.verdict.failures.join('; ')}`);
  if (run.metrics.ops !== Number(ops)) throw new Error(`accounting: ${run.metrics.ops} of ${ops} operations counted`);
  const avc = run.metrics.avcTotals();
  const threads = [...run.metrics.threads.values()];
  const inEngine = threads.reduce((a, t) => a + t.engineMs, 0) / threads.reduce((a, t) => a + t.busyMs, 0);
  return { sim: (run.metrics.ops * 1000) / (run.metrics.lastEndMs - run.metrics.firstStartMs), engine, alone, together, page, hitRate: avc.hits / avc.lookups, inEngine };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const load0 = loadavg()[0]!;
const results: Record<string, number> = {};
const one: Pair[] = [];
const two: Pair[] = [];
await simAndEngine(2); // warm-up: JIT, Wasm compilation cache
for (let r = 0; r < rounds; r++) {
  // one of each per round: 1, 2, 1, 2, … (a Bench runs its tasks once per run(), so one per round)
  const bench = new Bench({ iterations: 1, time: 0, warmup: false });
  bench.add('stress 1 worker', async () => void one.push(await simAndEngine(1)));
  bench.add('stress 2 workers', async () => void two.push(await simAndEngine(2)));
  await bench.run();
}
if (one.length !== rounds || two.length !== rounds) throw new Error(`bench: ${one.length}/${two.length} of ${rounds} rounds ran`);
results['sim1WorkerChecksPerSec'] = median(one.map((p) => p.sim));
results['sim2WorkersChecksPerSec'] = median(two.map((p) => p.sim));
// per round (the two runs of a round are back to back, so slow drift of the shared VM cancels out)
results['scaling2over1'] = median(two.map((p, r) => p.sim / one[r]!.sim));
results['engine1WorkerChecksPerSec'] = median(one.map((p) => p.engine));
results['engine2WorkersChecksPerSec'] = median(two.map((p) => p.engine));
results['engineScaling2over1'] = median(two.map((p, r) => p.engine / one[r]!.engine));
results['enginePage1WorkerChecksPerSec'] = median(one.map((p) => p.page));
results['enginePage2WorkersChecksPerSec'] = median(two.map((p) => p.page));
results['simShareInEngine2Workers'] = median(two.map((p) => p.inEngine));
results['simOverEngine2Workers'] = median(two.map((p) => p.sim / p.engine));
results['simAvcHitRate'] = median(two.map((p) => p.hitRate));
// ~1.0 when two workers do not slow each other down (then a scaling below 2x is the VM's cores)
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
results['engineTogetherOverAlone2Workers'] = median(two.map((p) => sum(p.together) / sum(p.alone)));

// checkMany: 4M checks over 64 guests × 64 images (4,096 keys), 2 workers whose AVC holds them
// (the kernel's default 512 entries would make most of these checks misses)
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
  const pool = new CheckPool(server, { workers: 2, sliceSize: 1 << 18, avc: { slots: 16384, threshold: 16384, hash: 'murmur' } });
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

// 100,000 guests: bounded memory. Separate processes (peak RSS is per process), the compiled CLI.
for (const [key, n] of [['guests100k2MOps', '2000000'], ['guests100k16MOps', '16000000']] as const) {
  const out = `/tmp/svirt-stress-bench-${process.pid}.json`;
  try {
    execFileSync(process.execPath, ['dist/src/cli/main.js', 'stress', '--guests', '100000', '--ops', n, '--workers', '2', '--seed', '1', '--quiet', '--json', out], { stdio: 'ignore' });
  } catch (err) {
    throw new Error(`100,000-guest run (${n} ops) did not PASS: ${String(err)}`);
  }
  const r = JSON.parse(readFileSync(out, 'utf8')) as { memory: { peakRssBytes: number }; totals: { steadyOpsPerSec: number; setupMs: number } };
  rmSync(out, { force: true });
  results[`${key}PeakRssMB`] = Math.round(r.memory.peakRssBytes / 1e6);
  results[`${key}ChecksPerSec`] = r.totals.steadyOpsPerSec;
  results[`${key}SetupMs`] = Math.round(r.totals.setupMs);
}
results['loadAvgStart'] = load0;
// every round, for the record: the VM's speed drifts within a run
const mps = (xs: number[]): string => xs.map((x) => (x / 1e6).toFixed(0)).join(' + ');
const perRound = one.map(
  (p, r) =>
    `round ${r + 1}: sim 1 worker ${(p.sim / 1e6).toFixed(1)} M/s, 2 workers ${(two[r]!.sim / 1e6).toFixed(1)} M/s (${(two[r]!.sim / p.sim).toFixed(2)}x); ` +
    `engine per worker: 1-worker run ${mps(p.alone)}; 2-worker run, each alone ${mps(two[r]!.alone)}, together ${mps(two[r]!.together)} M/s`,
);
results['loadAvgEnd'] = loadavg()[0]!;

if (process.argv.includes('--json')) console.log(JSON.stringify({ ...results, rounds: perRound }, null, 2));
else {
  for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(30)} ${Number.isInteger(v) ? v : v >= 1000 ? Math.round(v) : v.toFixed(3)}`);
  for (const line of perRound) console.log(line);
}
