/**
 * Ring replay with page references (workload.ts): a replayed batch is counted from its page's
 * reference only when every answer byte equals the reference, so the tallies equal op-by-op
 * judging exactly — and one changed answer in a replay is caught, counted and judged.
 */
import { describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../src/policy/load.js';
import { createSecurityServer } from '../../src/security/server.js';
import { WANT_ANY, WANT_DENIED, heatColumns, variantCount } from '../../src/sim/layout.js';
import type { ChunkTask } from '../../src/sim/protocol.js';
import { buildRing, type OpRing, WANT_OWN } from '../../src/sim/ring.js';
import { runStress } from '../../src/sim/stress.js';
import { regionPort, residentRing } from '../../src/sim/ring-port.js';
import { type BatchPort, PageCache, runChunk } from '../../src/sim/workload.js';
import { allocateGuests, buildWorld, type World } from '../../src/sim/world.js';
import { WasmEngine } from '../../src/wasm/engine.js';
import { simPolicyPath, smallOptions } from './helpers.js';

const B = 512;
const PAGES = 4;
const REPEAT = 5;

function setup(): { world: World; ring: OpRing; engine: WasmEngine } {
  const server = createSecurityServer(loadPolicyFile(simPolicyPath()));
  const world = buildWorld(server, allocateGuests(10, 2, 5), { boolGenerations: [{}] });
  const ring = buildRing(world.shared, world.catalog, { seed: 9, lane: 0, length: B * PAGES, sliceStart: 0, sliceLen: 10, hostBelow: 6000, attackBelow: 30000, processBelow: 50 });
  const engine = WasmEngine.create(server.exportImage(), server.exportSidTable(), { slots: 4096, threshold: 4096 });
  return { world, ring, engine };
}

/** The engine over the resident ring, as the worker uses it; `tamper(call, out)` may change answers after a call. */
function port(engine: WasmEngine, ring: OpRing, tamper?: (call: number, out: Uint8Array) => void): BatchPort {
  const inner = regionPort(residentRing(engine, ring));
  let call = 0;
  return {
    check: (start, n) => {
      const out = inner.check(start, n);
      tamper?.(call, out);
      call++;
      return out;
    },
  };
}

const task: ChunkTask = { kind: 'chunk', lane: 0, chunk: 0, progressSlot: 0, ops: B * PAGES * REPEAT, batchSize: B, ringStart: 0, policyGen: 0, boolGen: 0 };

/** Op-by-op tallies of `task` from single engine calls, without runChunk. */
function reference(world: World, ring: OpRing, engine: WasmEngine): { counts: Uint32Array; heat: Uint32Array; answers: Uint8Array } {
  const P = world.catalog.ops.length;
  const counts = new Uint32Array(variantCount(world.shared, P) * 2);
  const heat = new Uint32Array(world.shared.bins * heatColumns(world.shared) * 2);
  const answers = new Uint8Array(ring.length);
  for (let k = 0; k < ring.length; k++) {
    const res = engine.hasPermNoAudit(ring.ssid[k]!, ring.tsid[k]!, ring.tclass[k]!, ring.requested[k]!) ? 1 : 0;
    answers[k] = res;
    counts[ring.variant[k]! * 2 + res]! += REPEAT;
    heat[ring.cell[k]! * 2 + res]! += REPEAT;
  }
  return { counts, heat, answers };
}

describe('ring replay with page references', () => {
  it('counts exactly what op-by-op judging counts, judging each page once per generation', () => {
    const { world, ring, engine } = setup();
    const ref = reference(world, ring, engine);
    const t = runChunk(port(engine, ring), world.shared, world.catalog, ring, new PageCache(ring.length, B), task);
    expect(t.ops).toBe(B * PAGES * REPEAT);
    expect(t.replayedBatches).toBe(PAGES * (REPEAT - 1));
    expect(Array.from(t.counts)).toEqual(Array.from(ref.counts));
    expect(Array.from(t.heat)).toEqual(Array.from(ref.heat));
    expect(t.anomalies).toEqual([]);
    // a new boolean generation invalidates every page reference: judged again, then replayed
    const cache = new PageCache(ring.length, B);
    runChunk(port(engine, ring), world.shared, world.catalog, ring, cache, { ...task, ops: B * PAGES });
    const again = runChunk(port(engine, ring), world.shared, world.catalog, ring, cache, { ...task, ops: B * PAGES * 2, policyGen: 1 });
    expect(again.replayedBatches).toBe(PAGES);
  });

  it('one flipped answer in a replayed batch is caught: counted as given and judged as an anomaly', () => {
    const { world, ring, engine } = setup();
    const ref = reference(world, ring, engine);
    // a judged op in page 1 whose flipped answer contradicts what the verdict wants
    let j = -1;
    for (let i = 0; i < B && j < 0; i++) {
      const k = B + i;
      if (ring.want[k] === WANT_DENIED || ring.want[k] === WANT_OWN) j = i;
    }
    expect(j).toBeGreaterThanOrEqual(0);
    const k = B + j;
    // call 5 is page 1 of the second pass: a replay whose reference was taken at call 1
    const t = runChunk(port(engine, ring, (call, out) => {
      if (call === PAGES + 1) out[j] = out[j]! ^ 1;
    }), world.shared, world.catalog, ring, new PageCache(ring.length, B), task);
    // the tampered batch is judged op by op; its anomaly drops page 1's reference, so the next pass
    // over page 1 is judged again (and becomes the new reference)
    expect(t.replayedBatches).toBe(PAGES * (REPEAT - 1) - 2);
    const res = ref.answers[k]!;
    const v = ring.variant[k]!;
    const expected = Uint32Array.from(ref.counts);
    expected[v * 2 + res]!--;
    expected[v * 2 + (res ^ 1)]!++;
    expect(Array.from(t.counts)).toEqual(Array.from(expected));
    expect(t.heatAnomaly.reduce((a, x) => a + x, 0)).toBe(1);
    expect(t.anomalies).toHaveLength(1);
    expect(t.anomalies[0]).toMatchObject({ guest: ring.attacker[k], object: ring.target[k], result: res ^ 1, count: 1 });
    expect(ring.want[k]).not.toBe(WANT_ANY);
  });

  it('a whole run with small rings replays most batches, stays reproducible, and survives a crash with exact counts', async () => {
    const opts = { ring: '4096', batch: '512' };
    const a = await runStress(smallOptions(opts));
    expect(a.verdict.status).toBe('PASS');
    expect(a.metrics.ops).toBe(120_000);
    expect(a.metrics.replayedBatches).toBeGreaterThan(a.metrics.batches / 2);
    const b = await runStress(smallOptions({ ...opts, fault: ['worker-crash'] }));
    // exactly one chunk died half-way; any other lost with the thread was queued (0) or finished (all batches)
    const batchesOf = (chunk: number): number => Math.ceil(Math.min(b.chunkOps, 60_000 - chunk * b.chunkOps) / 512);
    expect(b.metrics.lost.filter((l) => l.batchesExecuted > 0 && l.batchesExecuted < batchesOf(l.chunk))).toHaveLength(1);
    for (const l of b.metrics.lost) expect(l.batchesExecuted).toBeLessThanOrEqual(batchesOf(l.chunk));
    expect(b.metrics.ops).toBe(120_000);
    expect(Array.from(b.metrics.counts)).toEqual(Array.from(a.metrics.counts));
    expect(Array.from(b.metrics.heat)).toEqual(Array.from(a.metrics.heat));
    // breaches on replayed pages are never hidden: every pass over an anomalous page is judged, so
    // with each lane's stream exactly 30 passes over its ring, every breach is counted 30 times
    const fail = await runStress(smallOptions({ ...opts, fault: ['duplicate-label'], guests: '4', ring: '2048', ops: String(2 * 2048 * 30) }));
    expect(fail.verdict.status).toBe('FAIL');
    expect(fail.verdict.breachCount).toBeGreaterThan(0);
    expect(fail.verdict.breachCount % 30).toBe(0);
    for (const a of fail.metrics.anomalies.values()) expect(a.count % 30).toBe(0);
  });
});
