/**
 * Label-manager benchmarks (tinybench): medians over several samples, many operations per sample.
 *
 * - mcs: allocate all 523,776 pairs of c0..c1023 (target < 1 s per full pool)
 * - mcs: the exhaustion error when full (target < 1 ms; measured per call over 1,000 calls/sample)
 * - manager: start + stop 10,000 guests with two images each (selinux + dac stack), on the
 *   in-memory store and on the SQLite store (a temp file; WAL, synchronous=NORMAL)
 *
 * Run: `npx tsx bench/label.bench.ts [--json out.json] [--guests N]`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { LabelManager } from '../src/label/manager.js';
import { McsAllocator, seededRng } from '../src/label/mcs-alloc.js';
import { createMemoryStore, openSqliteStore, type HostStore } from '../src/label/store.js';
import { isMainModule } from './script.js';

export interface LabelBenchResult {
  readonly name: string;
  /** median ms per sample */
  readonly medianMs: number;
  /** operations per sample */
  readonly opsPerSample: number;
  /** median µs per operation */
  readonly perOpUs: number;
  readonly samples: number;
}

const FULL_POOL = 523_776;
const ERROR_CALLS = 1_000;

function managerFor(store: HostStore, guests: number): LabelManager {
  const m = new LabelManager({ store, rng: seededRng(1) });
  store.transaction(() => {
    for (let i = 0; i < guests; i++) {
      m.define({
        name: `g${i}`,
        disks: [{ source: `/var/lib/libvirt/images/g${i}.qcow2` }, { source: `/var/lib/libvirt/images/g${i}-data.img` }],
      });
    }
  });
  return m;
}

export async function runLabelBench(options: { guests?: number } = {}): Promise<LabelBenchResult[]> {
  const guests = options.guests ?? 10_000;
  const tmp = mkdtempSync(join(tmpdir(), 'svirt-label-bench-'));
  const bench = new Bench({ name: 'label manager', time: 0, iterations: 5, warmupIterations: 1, retainSamples: true });

  const alloc = new McsAllocator('s0-s0:c0.c1023', seededRng(7));
  bench.add(
    'mcs: allocate all 523,776 pairs',
    () => {
      for (let i = 0; i < FULL_POOL; i++) alloc.allocateId();
    },
    { beforeEach: () => alloc.reset() },
  );

  const full = new McsAllocator('s0-s0:c0.c1023', seededRng(8));
  while (full.available > 0) full.allocateId();
  bench.add(`mcs: exhaustion error x${ERROR_CALLS}`, () => {
    for (let i = 0; i < ERROR_CALLS; i++) {
      try {
        full.allocateId();
      } catch {
        // E_ALLOC_EXHAUSTED, expected
      }
    }
  });

  const mem = managerFor(createMemoryStore(), guests);
  bench.add(`manager(memory): start+stop ${guests} guests x2 images`, () => {
    for (let i = 0; i < guests; i++) mem.start(`g${i}`);
    for (let i = 0; i < guests; i++) mem.stop(`g${i}`);
  });

  const sqliteStore = openSqliteStore(join(tmp, 'bench.db'));
  const sql = managerFor(sqliteStore, guests);
  bench.add(
    `manager(sqlite): start+stop ${guests} guests x2 images`,
    () => {
      for (let i = 0; i < guests; i++) sql.start(`g${i}`);
      for (let i = 0; i < guests; i++) sql.stop(`g${i}`);
    },
  );

  try {
    await bench.run();
  } finally {
    sqliteStore.close();
    rmSync(tmp, { recursive: true, force: true });
  }

  const perSample = [FULL_POOL, ERROR_CALLS, 2 * guests, 2 * guests];
  return bench.tasks.map((task, i) => {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`benchmark ${task.name} did not complete: ${r.state === 'errored' ? String(r.error) : r.state}`);
    const median = r.latency.p50;
    const ops = perSample[i]!;
    return { name: task.name, medianMs: median, opsPerSample: ops, perOpUs: (median * 1000) / ops, samples: r.latency.samplesCount };
  });
}

function format(results: readonly LabelBenchResult[]): string {
  const rows = results.map((r) => `${r.name.padEnd(52)} ${r.medianMs.toFixed(2).padStart(10)} ms/sample  ${r.perOpUs.toFixed(3).padStart(10)} µs/op  (${r.samples} samples)`);
  return rows.join('\n') + '\n';
}

if (isMainModule(import.meta.url)) {
  const args = process.argv.slice(2);
  const gi = args.indexOf('--guests');
  const ji = args.indexOf('--json');
  const results = await runLabelBench(gi >= 0 ? { guests: Number(args[gi + 1]) } : {});
  process.stdout.write(format(results));
  if (ji >= 0 && args[ji + 1]) writeFileSync(args[ji + 1]!, JSON.stringify(results, null, 2));
}
