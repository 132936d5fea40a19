/**
 * The plain-TypeScript reference peers: the same algorithm as the Wasm engine — an AVC of bounded
 * size in front of compute_av (TE over typeAttrMap(s) x typeAttrMap(t), enabled conditional rules,
 * constraints in kernel order, role allow for process transitions, typebounds) — in two variants:
 *
 *   Map    AVC = Map<number, allowed> with FIFO reclaim; avtab = Map<number, allowed>
 *   typed  AVC = open-addressing Uint32Array table cleared when full; avtab = open-addressing
 *          Uint32Array table; typeAttrMap in CSR Int32Arrays
 *
 * Both evaluate constraints with the plain-TS reference evaluator (src/security/reference.ts), and
 * fall back to referenceComputeAv for a bounded source type (rare; never in the bench workload).
 * Booleans are the policy defaults, fixed at preparation (as in the engine under test).
 * These peers exist to be timed beside the engine: the gate ratios "ours vs plain-TS" compare them.
 */
import { benchError } from '../../errors.js';
import { AVTAB_ALLOWED, type AvEntry, type ContextValue, type PolicyModel } from '../../policy/model.js';
import {
  condResults,
  defaultBoolStates,
  evalConstraintExpr,
  processTransMask,
  referenceComputeAv,
  roleAllowed,
} from '../../security/reference.js';
import type { AvcOptions } from '../../types.js';
import { queryArrays, type Workload } from '../workload.js';
import { avcGeometry } from '../../wasm/engine.js';
import type { PreparedPeer } from './peer.js';

/** Largest type/attribute value and class value the packed keys below can hold. */
const MAX_TYPE = 0xffff;
const MAX_CLASS = 0x3ff;

/** Allowed-entries of the unconditional avtab plus the conditional entries enabled by default booleans. */
function allowedEntries(model: PolicyModel): AvEntry[] {
  const results = condResults(model, defaultBoolStates(model));
  const list = model.avtab.filter((e) => e.specified === AVTAB_ALLOWED);
  model.conds.forEach((node, i) => {
    const r = results[i] ?? -1;
    const active = r === 1 ? node.trueList : r === 0 ? node.falseList : [];
    for (const e of active) if (e.specified === AVTAB_ALLOWED) list.push(e);
  });
  if (model.types.length > MAX_TYPE || model.classes.length > MAX_CLASS) {
    throw benchError('workload', `plain-TS peer: ${model.types.length} types / ${model.classes.length} classes exceed its packed keys`);
  }
  return list;
}

/** compute_av over a TE lookup `te(stype, ttype, tclass)`; steps after TE are shared by both variants. */
abstract class PlainComputer {
  protected readonly boolStates: boolean[];
  constructor(
    protected readonly model: PolicyModel,
    /** contexts by local SID (index = sid - 1) */
    protected readonly contexts: readonly ContextValue[],
  ) {
    this.boolStates = defaultBoolStates(model);
  }

  protected abstract te(stype: number, ttype: number, tclass: number): number;

  /** allowed vector for (ssid, tsid, tclass); an unknown SID or class allows nothing (fail closed). */
  compute(ssid: number, tsid: number, tclass: number): number {
    const scon = this.contexts[ssid - 1];
    const tcon = this.contexts[tsid - 1];
    const cls = this.model.classes[tclass - 1];
    if (!scon || !tcon || !cls) return 0;
    if (this.model.types[scon.type - 1]?.bounds) return referenceComputeAv(this.model, scon, tcon, tclass, this.boolStates).allowed;
    let allowed = this.te(scon.type, tcon.type, tclass);
    for (const c of cls.constraints) {
      if ((c.perms & allowed) !== 0 && !evalConstraintExpr(this.model, c.expr, scon, tcon)) allowed &= ~c.perms;
    }
    const trans = processTransMask(this.model, tclass);
    if ((allowed & trans) !== 0 && scon.role !== tcon.role && !roleAllowed(this.model, scon.role, tcon.role)) allowed &= ~trans;
    return allowed >>> 0;
  }
}

class MapComputer extends PlainComputer {
  private readonly avtab = new Map<number, number>();
  constructor(model: PolicyModel, contexts: readonly ContextValue[]) {
    super(model, contexts);
    for (const e of allowedEntries(model)) {
      const k = (e.source * 65536 + e.target) * 1024 + e.tclass;
      this.avtab.set(k, ((this.avtab.get(k) ?? 0) | e.data) >>> 0);
    }
  }
  protected te(stype: number, ttype: number, tclass: number): number {
    const sattrs = this.model.typeAttrMap[stype - 1] ?? [];
    const tattrs = this.model.typeAttrMap[ttype - 1] ?? [];
    let allowed = 0;
    for (const s of sattrs) {
      for (const t of tattrs) allowed |= this.avtab.get((s * 65536 + t) * 1024 + tclass) ?? 0;
    }
    return allowed;
  }
}

function hash3(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ c, 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}

function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

class TypedComputer extends PlainComputer {
  /** avtab keys: (source << 16 | target), tclass (0 = empty slot); values: allowed */
  private readonly keyST: Uint32Array;
  private readonly keyC: Uint16Array;
  private readonly vals: Uint32Array;
  private readonly mask: number;
  private readonly attrOff: Int32Array;
  private readonly attrVal: Int32Array;
  constructor(model: PolicyModel, contexts: readonly ContextValue[]) {
    super(model, contexts);
    const entries = allowedEntries(model);
    const cap = pow2AtLeast(Math.max(16, entries.length * 2));
    this.keyST = new Uint32Array(cap);
    this.keyC = new Uint16Array(cap);
    this.vals = new Uint32Array(cap);
    this.mask = cap - 1;
    for (const e of entries) {
      const st = ((e.source << 16) | e.target) >>> 0;
      let i = hash3(st, e.tclass, 0) & this.mask;
      while (this.keyC[i] !== 0 && !(this.keyST[i] === st && this.keyC[i] === e.tclass)) i = (i + 1) & this.mask;
      this.keyST[i] = st;
      this.keyC[i] = e.tclass;
      this.vals[i] = (this.vals[i]! | e.data) >>> 0;
    }
    const map = model.typeAttrMap;
    this.attrOff = new Int32Array(map.length + 1);
    let total = 0;
    map.forEach((l, i) => {
      this.attrOff[i] = total;
      total += l.length;
    });
    this.attrOff[map.length] = total;
    this.attrVal = new Int32Array(total);
    map.forEach((l, i) => this.attrVal.set(l, this.attrOff[i]!));
  }
  private lookup(s: number, t: number, tclass: number): number {
    const st = ((s << 16) | t) >>> 0;
    let i = hash3(st, tclass, 0) & this.mask;
    for (;;) {
      const c = this.keyC[i]!;
      if (c === 0) return 0;
      if (c === tclass && this.keyST[i] === st) return this.vals[i]!;
      i = (i + 1) & this.mask;
    }
  }
  protected te(stype: number, ttype: number, tclass: number): number {
    const off = this.attrOff;
    const val = this.attrVal;
    const s0 = off[stype - 1] ?? 0;
    const s1 = off[stype] ?? 0;
    const t0 = off[ttype - 1] ?? 0;
    const t1 = off[ttype] ?? 0;
    let allowed = 0;
    for (let i = s0; i < s1; i++) {
      const s = val[i]!;
      for (let j = t0; j < t1; j++) allowed |= this.lookup(s, val[j]!, tclass);
    }
    return allowed;
  }
}

/** Map AVC: key (ssid, tsid, tclass) packed in a double; FIFO reclaim of `reclaim` nodes when full. */
class MapAvc {
  private readonly cache = new Map<number, number>();
  misses = 0;
  lookups = 0;
  constructor(
    private readonly computer: PlainComputer,
    private readonly threshold: number,
    private readonly reclaim: number,
  ) {}
  hasPerm(ssid: number, tsid: number, tclass: number, requested: number): boolean {
    const key = (ssid * 1048576 + tsid) * 1024 + tclass;
    this.lookups++;
    let allowed = this.cache.get(key);
    if (allowed === undefined) {
      this.misses++;
      allowed = this.computer.compute(ssid, tsid, tclass);
      if (this.cache.size >= this.threshold) {
        let k = 0;
        for (const old of this.cache.keys()) {
          this.cache.delete(old);
          if (++k >= this.reclaim) break;
        }
      }
      this.cache.set(key, allowed);
    }
    return (allowed & requested) === requested && requested !== 0;
  }
  get size(): number {
    return this.cache.size;
  }
}

/** Typed AVC: linear probing over Uint32Array (ssid, tsid, tclass, allowed); cleared when full. */
class TypedAvc {
  private readonly keys: Uint32Array;
  private readonly vals: Uint32Array;
  private readonly mask: number;
  private count = 0;
  misses = 0;
  lookups = 0;
  constructor(
    private readonly computer: PlainComputer,
    private readonly threshold: number,
  ) {
    const cap = pow2AtLeast(Math.max(16, threshold * 2));
    this.keys = new Uint32Array(cap * 3);
    this.vals = new Uint32Array(cap);
    this.mask = cap - 1;
  }
  hasPerm(ssid: number, tsid: number, tclass: number, requested: number): boolean {
    this.lookups++;
    const keys = this.keys;
    let i = hash3(ssid, tsid, tclass) & this.mask;
    for (;;) {
      const k = i * 3;
      const s = keys[k]!;
      if (s === 0) break;
      if (s === ssid && keys[k + 1] === tsid && keys[k + 2] === tclass) {
        const allowed = this.vals[i]!;
        return (allowed & requested) === requested && requested !== 0;
      }
      i = (i + 1) & this.mask;
    }
    this.misses++;
    const allowed = this.computer.compute(ssid, tsid, tclass);
    if (this.count >= this.threshold) {
      keys.fill(0);
      this.count = 0;
      i = hash3(ssid, tsid, tclass) & this.mask;
    }
    const k = i * 3;
    keys[k] = ssid;
    keys[k + 1] = tsid;
    keys[k + 2] = tclass;
    this.vals[i] = allowed;
    this.count++;
    return (allowed & requested) === requested && requested !== 0;
  }
  get size(): number {
    return this.count;
  }
}

export type PlainVariant = 'map' | 'typed';

export interface PlainPeerOptions {
  readonly name: string;
  readonly variant: PlainVariant;
  readonly avc?: AvcOptions;
  readonly opsPerSample?: number;
}

/** A plain-TS peer over the workload: local SIDs = label index + 1. */
export function preparePlainTs(w: Workload, opts: PlainPeerOptions): PreparedPeer {
  const contexts = w.labels.map((l) => l.value);
  // plain-TS caches honour threshold and reclaim of the engine's geometry
  const { threshold, reclaim } = avcGeometry(opts.avc);
  const avc =
    opts.variant === 'map'
      ? new MapAvc(new MapComputer(w.model, contexts), threshold, reclaim)
      : new TypedAvc(new TypedComputer(w.model, contexts), threshold);
  const n = w.queries.length;
  const { ssid, tsid, tclass, req } = queryArrays(w, (label) => label + 1);
  const per = Math.min(opts.opsPerSample ?? n, n);
  return {
    name: opts.name,
    opsPerSample: per,
    note: `${opts.variant === 'map' ? 'Map' : 'typed-array'} AVC, threshold ${threshold}`,
    decideAll(out) {
      for (let i = 0; i < n; i++) out[i] = avc.hasPerm(ssid[i]!, tsid[i]!, tclass[i]!, req[i]!) ? 1 : 0;
    },
    sample() {
      let granted = 0;
      for (let i = 0; i < per; i++) if (avc.hasPerm(ssid[i]!, tsid[i]!, tclass[i]!, req[i]!)) granted++;
      return granted;
    },
    finalNote: () =>
      `${opts.variant === 'map' ? 'Map' : 'typed-array'} AVC, ${avc.size} nodes, miss rate ${((100 * avc.misses) / Math.max(1, avc.lookups)).toFixed(1)}%`,
  };
}
