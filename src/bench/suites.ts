/**
 * The benchmark suites of `svirt bench`. Each suite builds its workload, verifies every peer
 * against the engine on the whole workload (verify.ts), then times the cases in rounds (measure.ts).
 * Figures are ns per check (per operation for context/label), medians; the `ours` case of a suite is
 * the row its ratios refer to.
 *
 *   context   parse / format / contextToSid of sVirt contexts
 *   hit       AVC hit through the single-call API vs plain-TS AVCs, casbin, Cedar (hit workload)
 *   batch     checkBatch at 4096 / 256 / 16 checks per call vs single calls (hit workload)
 *   miss      AVC miss path (16-slot AVC, spread workload) on the embedded policy, + libsepol
 *   debian    the same miss path on Debian's policy.33 (skipped when not installed)
 *   label     MCS pair allocation + release (empty and 90%-full pool)
 *   stress    a short `svirt stress` run: checks/s over the worker pool (needs the built dist/)
 *
 * Injection hooks (BenchHooks) let tests slow one side down on purpose to prove the gates bite.
 */
import { existsSync } from 'node:fs';
import { BenchError, benchError, quoteInput } from '../errors.js';
import { formatContext, parseContext } from '../context/context.js';
import { McsAllocator, seededRng } from '../label/mcs-alloc.js';
import { loadEmbeddedPolicy, loadPolicyFile } from '../policy/load.js';
import type { PolicyModel } from '../policy/model.js';
import { createSecurityServer } from '../security/server.js';
import type { AvcOptions } from '../types.js';
import { measure, type TimedCase, type TimingOptions } from './measure.js';
import { prepareCasbin } from './peers/casbin.js';
import { prepareCedar } from './peers/cedar.js';
import { compileEmbedded, LIBSEPOL_HINT, locateHarness, prepareLibsepol } from './peers/libsepol.js';
import type { ExternalPeer, PreparedPeer } from './peers/peer.js';
import { preparePlainTs } from './peers/plain-ts.js';
import { type CallWrapper, prepareWasmBatch, prepareWasmSingle, resolveForWasm } from './peers/wasm.js';
import { flattenRules, type SvirtRules } from './rules.js';
import { verifyPeer } from './verify.js';
import { buildFrame, buildWorkload, distinctTriples, type Workload, type WorkloadShape } from './workload.js';

export const DEBIAN_POLICY = '/etc/selinux/default/policy/policy.33';

/** Test-only levers: wrap the Wasm batch call (deliberate slowdown), swap the embedded policy. */
export interface BenchHooks {
  /** wraps every checkBatch call of the `batch` suite's batch cases */
  readonly wrapBatchCall?: CallWrapper;
}

export interface SuiteOptions {
  readonly quick: boolean;
  readonly timing: TimingOptions;
  readonly hooks: BenchHooks;
  /** Debian binary policy path (debian suite, libsepol on it) */
  readonly debianPolicy: string;
  /** time casbin / Cedar / libsepol too (default true); they are verified whenever they run */
  readonly peers: boolean;
  /** the policy of the embedded-policy suites (default: loadEmbeddedPolicy) */
  readonly policy: () => PolicyModel;
  /** the stress suite's run length, ms */
  readonly stressMs: number;
  log(line: string): void;
}

export type CaseRole = 'ours' | 'reference' | 'peer';

export interface CaseResult {
  /** stable id used by gates and JSON: `ours-single`, `plain-typed`, `casbin`, ... */
  readonly id: string;
  /** display name, e.g. `casbin 5.51.1` */
  readonly label: string;
  readonly role: CaseRole;
  readonly nsPerOp: number;
  readonly opsPerSample: number;
  readonly samples: number;
  readonly timedBy: 'tinybench' | 'harness' | 'wall clock';
  readonly note?: string;
}

export interface SuiteResult {
  readonly name: string;
  readonly title: string;
  /** what one op is: `check`, `parse`, `allocation`... */
  readonly unit: string;
  readonly cases: CaseResult[];
  readonly notes: string[];
  /** set when the suite could not run here (and why) */
  readonly skipped?: string;
}

export interface SuiteDef {
  readonly name: string;
  readonly title: string;
  /** part of the --quick set (the gate's suites) */
  readonly quick: boolean;
  run(o: SuiteOptions): Promise<SuiteResult>;
}

interface PeerCase {
  readonly id: string;
  readonly role: CaseRole;
  readonly peer: PreparedPeer;
}

/** Verify each peer against `ours` (the first case, role 'ours'), then time them all in rounds. */
async function runDecisionCases(w: Workload, cases: readonly PeerCase[], o: SuiteOptions): Promise<CaseResult[]> {
  const ours = cases.find((c) => c.role === 'ours');
  if (!ours) throw benchError('workload', 'a decision suite needs an `ours` case');
  const reference = new Uint8Array(w.queries.length);
  ours.peer.decideAll(reference);
  for (const c of cases) if (c !== ours) verifyPeer(w, reference, c.peer);
  o.log(`  verified ${cases.length - 1} peer(s) against svirt on ${w.queries.length} queries`);
  // peers 100x+ slower than ours are timed apart with fewer samples (their rows are not gated)
  const slow = (c: PeerCase): boolean => c.role === 'peer';
  const timed = (list: readonly PeerCase[]): TimedCase[] => list.map((c) => ({ name: c.id, opsPerSample: c.peer.opsPerSample, sample: () => c.peer.sample() }));
  const m = await measure(timed(cases.filter((c) => !slow(c))), o.timing);
  const slowCases = cases.filter(slow);
  if (slowCases.length > 0) {
    for (const [k, v] of await measure(timed(slowCases), { ...o.timing, minSamples: 3, rounds: Math.min(3, o.timing.rounds) })) m.set(k, v);
  }
  return cases.map((c) => {
    const r = m.get(c.id)!;
    const note = c.peer.finalNote?.() ?? c.peer.note;
    return {
      id: c.id,
      label: c.peer.name,
      role: c.role,
      nsPerOp: r.nsPerOp,
      opsPerSample: r.opsPerSample,
      samples: r.samples,
      timedBy: 'tinybench',
      ...(note ? { note } : {}),
    };
  });
}

/** A workload whose queries avoid permissions the flattened rules cannot model; and those rules. */
function workloadWithRules(model: PolicyModel, shape: WorkloadShape, quick: boolean): { w: Workload; rules: SvirtRules } {
  let rules: SvirtRules | undefined;
  const w = buildWorkload(model, {
    shape,
    queries: 4096,
    ...(shape === 'miss' && quick ? { guests: 128 } : {}),
    exclude: (frame) => {
      rules = flattenRules(frame);
      return rules.unmodeled;
    },
  });
  return { w, rules: rules! };
}

/**
 * casbin and Cedar rows (timed over a prefix: they are ~100-1000x slower per check). Both are dev
 * dependencies: where one is not installed its row is left out and `notes` says how to get it.
 */
async function foreignPeers(w: Workload, rules: SvirtRules, o: SuiteOptions, notes: string[]): Promise<PeerCase[]> {
  if (!o.peers) return [];
  const out: PeerCase[] = [];
  const add = async (id: string, prepare: () => Promise<PreparedPeer>): Promise<void> => {
    try {
      out.push({ id, role: 'peer', peer: await prepare() });
    } catch (e) {
      if (!(e instanceof BenchError && e.kind === 'peer-absent')) throw e;
      notes.push(`${id} skipped: ${e.message}`);
    }
  };
  await add('casbin', () => prepareCasbin(w, rules, o.quick ? 256 : 1024));
  await add('cedar', () => prepareCedar(w, rules, o.quick ? 32 : 128));
  return out;
}

/** libsepol through the conformance harness: verified, then timed by the harness itself. */
function libsepolCase(w: Workload, ours: Uint8Array, policy: () => { path: string } | { reason: string }, label: string, o: SuiteOptions): CaseResult | string {
  const h = locateHarness();
  if ('reason' in h) return `libsepol skipped: ${h.reason}`;
  const p = policy();
  if ('reason' in p) return `libsepol skipped: ${p.reason}`;
  const peer: ExternalPeer = prepareLibsepol(w, h.path, p.path, label);
  verifyPeer(w, ours, peer);
  const t = peer.time(o.quick ? 200 : 1000);
  return { id: 'libsepol', label: peer.name, role: 'peer', nsPerOp: t.nsPerOp, opsPerSample: t.ops, samples: 1, timedBy: 'harness', note: `${peer.note ?? ''}, ${t.ops} decisions` };
}

/** A suite's own cases (no peers, nothing to verify): timed, reported with `oursId` as the row the others divide by. */
async function ownCases(cases: readonly (TimedCase & { readonly label: string })[], oursId: string, o: SuiteOptions): Promise<CaseResult[]> {
  const m = await measure(cases, o.timing);
  return cases.map((c) => {
    const r = m.get(c.name)!;
    return { id: c.name, label: c.label, role: c.name === oursId ? 'ours' : 'reference', nsPerOp: r.nsPerOp, opsPerSample: r.opsPerSample, samples: r.samples, timedBy: 'tinybench' };
  });
}

const contextSuite: SuiteDef = {
  name: 'context',
  title: 'Context parse and format (embedded policy)',
  quick: false,
  async run(o) {
    const model = o.policy();
    const frame = buildFrame(model, 128, 7);
    const texts = frame.labels.map((l) => l.context);
    const values = frame.labels.map((l) => l.value);
    const server = createSecurityServer(model);
    for (const t of texts) server.contextToSid(t);
    const n = texts.length;
    const cases = [
      { name: 'parse', label: 'parseContext (text → values)', opsPerSample: n, sample: () => texts.reduce((a, t) => a + parseContext(model, frame.index, t).type, 0) },
      { name: 'format', label: 'formatContext (values → canonical text)', opsPerSample: n, sample: () => values.reduce((a, v) => a + formatContext(model, v).length, 0) },
      { name: 'context-to-sid', label: 'contextToSid (interned context)', opsPerSample: n, sample: () => texts.reduce((a, t) => a + server.contextToSid(t), 0) },
    ];
    return {
      name: 'context',
      title: this.title,
      unit: 'context',
      notes: [`${n} distinct sVirt contexts (guest processes, images, host files) per sample`],
      cases: await ownCases(cases, 'parse', o),
    };
  },
};

const hitSuite: SuiteDef = {
  name: 'hit',
  title: 'AVC hit, single-call API (embedded policy, warm cache)',
  quick: true,
  async run(o) {
    const { w, rules } = workloadWithRules(o.policy(), 'hit', o.quick);
    const ours = resolveForWasm(w);
    const notes = [`${w.queries.length} queries, ${w.guests} guests, ${distinctTriples(w)} distinct (ssid, tsid, tclass): all fit the 512-slot AVC`];
    const cases: PeerCase[] = [
      { id: 'ours-single', role: 'ours', peer: prepareWasmSingle(ours, { name: 'svirt Wasm, hasPermNoAudit' }) },
      { id: 'plain-typed', role: 'reference', peer: preparePlainTs(w, { name: 'plain TS, typed arrays', variant: 'typed' }) },
      { id: 'plain-map', role: 'reference', peer: preparePlainTs(w, { name: 'plain TS, Map', variant: 'map' }) },
      ...(await foreignPeers(w, rules, o, notes)),
    ];
    return {
      name: 'hit',
      title: this.title,
      unit: 'check',
      notes,
      cases: await runDecisionCases(w, cases, o),
    };
  },
};

const batchSuite: SuiteDef = {
  name: 'batch',
  title: 'Batch checks over typed arrays vs single calls (embedded policy, warm cache)',
  quick: true,
  async run(o) {
    const { w } = workloadWithRules(o.policy(), 'hit', o.quick);
    const ours = resolveForWasm(w);
    const wrap = o.hooks.wrapBatchCall;
    const batch = (size: number): PreparedPeer => prepareWasmBatch(ours, { name: `svirt Wasm, checkBatch x${size}`, batchSize: size, ...(wrap ? { wrapCall: wrap } : {}) });
    const cases: PeerCase[] = [
      { id: 'ours-batch', role: 'ours', peer: batch(4096) },
      { id: 'ours-batch-256', role: 'reference', peer: batch(256) },
      { id: 'ours-batch-16', role: 'reference', peer: batch(16) },
      { id: 'ours-single', role: 'reference', peer: prepareWasmSingle(ours, { name: 'svirt Wasm, hasPermNoAudit' }) },
      { id: 'plain-typed', role: 'reference', peer: preparePlainTs(w, { name: 'plain TS, typed arrays', variant: 'typed' }) },
    ];
    return {
      name: 'batch',
      title: this.title,
      unit: 'check',
      notes: [`${w.queries.length} queries per sample; one server shared by the Wasm cases`, ...(wrap ? ['INJECTED: every checkBatch call is wrapped by a test hook'] : [])],
      cases: await runDecisionCases(w, cases, o),
    };
  },
};

/** A small AVC so a spread workload misses on nearly every query: lookup + compute_av + insert. */
export const MISS_AVC: AvcOptions = { slots: 16, threshold: 16, reclaim: 16 };

async function missCases(model: PolicyModel, o: SuiteOptions, libsepolPolicy: () => { path: string } | { reason: string }, label: string): Promise<{ cases: CaseResult[]; notes: string[] }> {
  const { w, rules } = workloadWithRules(model, 'miss', o.quick);
  const ours = resolveForWasm(w, MISS_AVC);
  const notes = [`${w.queries.length} queries over ${w.guests} guests, ${distinctTriples(w)} distinct (ssid, tsid, tclass); AVC ${MISS_AVC.slots} slots`];
  const cases: PeerCase[] = [
    { id: 'ours-single', role: 'ours', peer: prepareWasmSingle(ours, { name: 'svirt Wasm, hasPermNoAudit (miss)' }) },
    { id: 'plain-typed', role: 'reference', peer: preparePlainTs(w, { name: 'plain TS, typed arrays (miss)', variant: 'typed', avc: MISS_AVC }) },
    { id: 'plain-map', role: 'reference', peer: preparePlainTs(w, { name: 'plain TS, Map (miss)', variant: 'map', avc: MISS_AVC }) },
    ...(await foreignPeers(w, rules, o, notes)),
  ];
  const results = await runDecisionCases(w, cases, o);
  if (o.peers) {
    const reference = new Uint8Array(w.queries.length);
    cases[0]!.peer.decideAll(reference);
    const lib = libsepolCase(w, reference, libsepolPolicy, label, o);
    if (typeof lib === 'string') notes.push(lib);
    else results.push(lib);
  }
  return { cases: results, notes };
}

const missSuite: SuiteDef = {
  name: 'miss',
  title: 'AVC miss path: lookup + compute_av + insert (embedded policy)',
  quick: true,
  async run(o) {
    const { cases, notes } = await missCases(o.policy(), o, compileEmbedded, 'embedded policy, checkpolicy -c 33');
    return { name: 'miss', title: this.title, unit: 'check', cases, notes };
  },
};

const debianSuite: SuiteDef = {
  name: 'debian',
  title: 'AVC miss path on the Debian reference policy (policy.33)',
  quick: false,
  async run(o) {
    if (!existsSync(o.debianPolicy)) {
      return { name: 'debian', title: this.title, unit: 'check', cases: [], notes: [], skipped: `${o.debianPolicy} not found (${LIBSEPOL_HINT})` };
    }
    const t0 = performance.now();
    const model = loadPolicyFile(o.debianPolicy);
    const loadMs = performance.now() - t0;
    const { cases, notes } = await missCases(model, o, () => ({ path: o.debianPolicy }), 'Debian policy.33');
    notes.unshift(`loadPolicyFile ${o.debianPolicy}: ${loadMs.toFixed(0)} ms, ${model.types.length} types+attributes, ${model.avtab.length} avtab entries`);
    return { name: 'debian', title: this.title, unit: 'check', cases, notes };
  },
};

const labelSuite: SuiteDef = {
  name: 'label',
  title: 'MCS label allocation (McsAllocator, c0.c1023: 523,776 pairs)',
  quick: false,
  async run(o) {
    const n = 4096;
    const empty = new McsAllocator(undefined, seededRng(1));
    const full = new McsAllocator(undefined, seededRng(2));
    const fill = Math.floor(full.total * 0.9);
    for (let i = 0; i < fill; i++) full.allocateId();
    const ids = new Int32Array(n);
    const cycle = (a: McsAllocator) => (): number => {
      for (let i = 0; i < n; i++) ids[i] = a.allocateId();
      for (let i = 0; i < n; i++) a.release(ids[i]!);
      return ids[0]!;
    };
    const cases = [
      { name: 'alloc-empty', label: 'allocate + release, empty pool', opsPerSample: n, sample: cycle(empty) },
      { name: 'alloc-full', label: 'allocate + release, pool 90% full', opsPerSample: n, sample: cycle(full) },
      { name: 'alloc-text', label: 'allocate + level text + release', opsPerSample: n, sample: () => {
        let len = 0;
        for (let i = 0; i < n; i++) {
          const id = empty.allocateId();
          len += empty.levelOf(id).length;
          empty.release(id);
        }
        return len;
      } },
    ];
    return {
      name: 'label',
      title: this.title,
      unit: 'allocation',
      notes: [`${n} allocations then ${n} releases per sample`],
      cases: await ownCases(cases, 'alloc-empty', o),
    };
  },
};

const stressSuite: SuiteDef = {
  name: 'stress',
  title: 'Short stress run (svirt stress defaults: worker pool, batch 4096)',
  quick: false,
  async run(o) {
    const { workerPath } = await import('../sim/pool.js');
    const worker = workerPath();
    if (!existsSync(worker)) {
      return { name: 'stress', title: this.title, unit: 'check', cases: [], notes: [], skipped: `the simulator worker ${worker} is not built (npm run build)` };
    }
    const { resolveOptions } = await import('../sim/options.js');
    const { runStress } = await import('../sim/stress.js');
    const options = resolveOptions({ duration: `${o.stressMs}ms`, seed: '1' }, () => 1);
    const run = await runStress(options);
    const ops = run.metrics.ops;
    const secs = run.elapsedMs / 1000;
    const breaches = run.verdict.breachCount;
    if (breaches !== 0) o.log(`  stress: ${breaches} isolation breaches reported by the verdict`);
    return {
      name: 'stress',
      title: this.title,
      unit: 'check',
      notes: [
        `${options.guests} guests x ${options.imagesPerGuest} images, ${run.lanes} lanes, ${options.workers} workers, ${secs.toFixed(1)} s, ${ops.toLocaleString('en-US')} checks, ${(ops / secs / 1e6).toFixed(2)} M checks/s aggregate`,
        `verdict: ${breaches} breaches`,
      ],
      cases: [
        { id: 'stress', label: 'pool wall time per check (all workers)', role: 'ours', nsPerOp: (run.elapsedMs * 1e6) / Math.max(1, ops), opsPerSample: ops, samples: 1, timedBy: 'wall clock' },
      ],
    };
  },
};

export const SUITES: readonly SuiteDef[] = [contextSuite, hitSuite, batchSuite, missSuite, debianSuite, labelSuite, stressSuite];

export function suiteNames(): string[] {
  return SUITES.map((s) => s.name);
}

/** The suites to run: the named ones in canonical order, else --quick's set, else all. */
export function selectSuites(names: readonly string[], quick: boolean): SuiteDef[] {
  for (const n of names) {
    if (!SUITES.some((s) => s.name === n)) throw benchError('unknown-suite', `unknown suite ${quoteInput(n)} (suites: ${suiteNames().join(', ')})`);
  }
  if (names.length > 0) return SUITES.filter((s) => names.includes(s.name));
  return quick ? SUITES.filter((s) => s.quick) : [...SUITES];
}

export function defaultSuiteOptions(quick: boolean, log: (line: string) => void = () => {}): SuiteOptions {
  return {
    quick,
    timing: quick ? { timeMs: 120, warmupMs: 40, minSamples: 8, rounds: 3 } : { timeMs: 400, warmupMs: 100, minSamples: 16, rounds: 5 },
    hooks: {},
    debianPolicy: DEBIAN_POLICY,
    peers: true,
    policy: loadEmbeddedPolicy,
    stressMs: quick ? 1500 : 4000,
    log,
  };
}
