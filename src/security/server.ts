/**
 * The SecurityServer facade: TS parses contexts, interns SIDs, builds the policy image, evaluates
 * boolean expressions and writes audit records; the Wasm engine (src/wasm/engine.ts) computes
 * every decision and owns the AVC. See src/types.ts for the contract.
 *
 * Seqno (K latest_granting): 1 after the first load, +1 on every reload and boolean commit; each is
 * followed by avc_ss_reset(seqno), so a decision from an older policy is never served or cached.
 *
 * handle_unknown (policy or LoadPolicyOptions.handleUnknown): callers name classes of the loaded
 * policy directly (classValue throws E_UNKNOWN_CLASS in every mode), so the only unknown requests
 * are permission bits above a class's defined permissions: allow → granted, deny → denied and
 * audited. `reject` has nothing to refuse at load time (there is no compiled-in kernel class map
 * that could be missing from the policy) and then behaves as deny; this is documented, not hidden.
 *
 * Fail closed: SID 0, never-issued SIDs, class 0 / class > nclasses and any Wasm trap are
 * denials, even in permissive mode, and are never cached. Malformed arguments are E_BAD_ARGUMENT
 * errors, checked before anything reaches the engine (src/wasm/args.ts): a SID, class or mask that is
 * not an integer in 0..2^32-1 (it would be ToInt32-wrapped into a different request), a zero
 * request to hasPerm/hasPermNoAudit (K avc_has_perm_noaudit: WARN_ON and -EACCES), typed arrays of the
 * wrong kind or of different lengths, non-string names, non-boolean flags. checkBatch writes a denial
 * into every slot of `out` before it throws.
 */
import { buildPolicyImage, condStateSection, condStateWord } from '../policy/image.js';
import { buildSymbolIndex, type PolicyModel, type SymbolIndex } from '../policy/model.js';
import { badArgument, unknownBool, unknownClass, unknownPerm } from '../errors.js';
import type {
  AccessDecision,
  AuditData,
  AuditSink,
  AvcStats,
  LoadPolicyOptions,
  ReasonedDecision,
  SecurityServer,
} from '../types.js';
import { denyAll, describeValue, requireBoolean, requireInt, requireOptions, requireString, requireTypedArray, requireU32 } from '../wasm/args.js';
import { sealImage, WasmEngine } from '../wasm/engine.js';
import * as L from '../wasm/layout.js';
import { auditRequired, formatAvcRecord } from './audit.js';
import { condResults } from './reference.js';
import { SidTable } from './sidtab.js';
import type { NewLabelKind } from './compute-sid.js';
import { labelTables } from './label-tables.js';
import { answerNewLabel, answerValidateTrans, ResultInterner, type LabelHost, type NewLabelAnswer } from './new-labels.js';
import { WasmLabeler } from './wasm-labels.js';

export class WasmSecurityServer implements SecurityServer {
  private current: PolicyModel;
  private index: SymbolIndex;
  private readonly sidtab: SidTable;
  private readonly engine: WasmEngine;
  private readonly options: LoadPolicyOptions;
  private boolStates: boolean[];
  private seq = 1;
  private enforcingMode: boolean;
  private sink: AuditSink | undefined;
  private image: Uint8Array;

  constructor(model: PolicyModel, options: LoadPolicyOptions = {}) {
    checkModel('createSecurityServer', model);
    checkLoadOptions(options);
    this.options = options;
    this.current = model;
    this.index = buildSymbolIndex(model);
    this.boolStates = initialBools(model, options.booleans);
    this.enforcingMode = options.enforcing ?? true;
    this.sidtab = new SidTable(model, this.index);
    this.image = this.buildImage();
    this.engine = WasmEngine.create(this.image, this.sidtab.exportBytes(), options.avc, { enforcing: this.enforcingMode });
    this.engine.reset(this.seq);
  }

  get model(): PolicyModel {
    return this.current;
  }
  get seqno(): number {
    return this.seq;
  }
  get enforcing(): boolean {
    return this.enforcingMode;
  }

  private buildImage(): Uint8Array {
    const opts = { seqno: this.seq, condResults: condResults(this.current, this.boolStates) };
    const hu = this.options.handleUnknown;
    return buildPolicyImage(this.current, hu ? { ...opts, handleUnknown: hu } : opts);
  }

  // ── contexts and SIDs ──

  contextToSid(context: string): number {
    requireString('contextToSid', 'context', context);
    const before = this.sidtab.count;
    const sid = this.sidtab.contextToSid(context);
    if (this.sidtab.count !== before) this.engine.writeSid(sid, (mem, off) => this.sidtab.writeRecord(sid, mem, off));
    return sid;
  }

  sidToContext(sid: number): string {
    requireU32('sidToContext', 'sid', sid);
    return this.sidtab.sidToContext(sid);
  }

  // ── classes and permissions ──

  classValue(name: string): number {
    requireString('classValue', 'class name', name);
    const c = this.index.classes.get(name);
    if (!c) throw unknownClass(name);
    return c.value;
  }

  /** The mask of `perms` in class `tclass`; an empty list is mask 0, which no AVC check accepts. */
  permMask(tclass: number, perms: readonly string[]): number {
    const c = this.classDef('permMask', tclass);
    if (!Array.isArray(perms)) throw badArgument('permMask', `perms must be an array of permission names, got ${describeValue(perms)}`);
    let mask = 0;
    for (const p of perms) {
      requireString('permMask', 'permission name', p);
      const bit = c.perms.indexOf(p);
      if (bit < 0) throw unknownPerm(c.name, p);
      mask |= 1 << bit;
    }
    return mask >>> 0;
  }

  permNames(tclass: number, mask: number): string[] {
    requireU32('permNames', 'tclass', tclass);
    requireU32('permNames', 'mask', mask);
    const c = this.current.classes[tclass - 1];
    const out: string[] = [];
    for (let bit = 0; bit < 32; bit++) {
      if (((mask >>> bit) & 1) === 0) continue;
      out.push(c?.perms[bit] ?? `0x${((1 << bit) >>> 0).toString(16)}`);
    }
    return out;
  }

  private classDef(api: string, tclass: number): PolicyModel['classes'][number] {
    requireU32(api, 'tclass', tclass);
    const c = this.current.classes[tclass - 1];
    if (!c) throw unknownClass(String(tclass));
    return c;
  }

  // ── decisions ──

  computeAv(ssid: number, tsid: number, tclass: number): AccessDecision {
    const { allowed, auditallow, auditdeny, seqno, flags } = this.engine.computeAv(ssid, tsid, tclass, 0);
    return { allowed, auditallow, auditdeny, seqno, flags };
  }

  computeAvReason(ssid: number, tsid: number, tclass: number, requested: number): ReasonedDecision {
    const { allowed, auditallow, auditdeny, seqno, flags, reason } = this.engine.computeAv(ssid, tsid, tclass, requested);
    return { allowed, auditallow, auditdeny, seqno, flags, reason };
  }

  hasPermNoAudit(ssid: number, tsid: number, tclass: number, requested: number): boolean {
    return this.engine.hasPermNoAudit(ssid, tsid, tclass, requested); // the engine checks the arguments
  }

  hasPerm(ssid: number, tsid: number, tclass: number, requested: number, data?: AuditData): boolean {
    if (data !== undefined) requireOptions('hasPerm', 'audit data', data);
    const r = this.engine.check(ssid, tsid, tclass, requested); // the engine checks the arguments
    if (this.sink && r.status === L.STATUS_OK) {
      const need = auditRequired(r.avd, requested, r.granted ? 'granted' : 'denied');
      if (need) {
        const record = {
          denied: need.denied,
          perms: this.permNames(tclass, need.audited),
          scontext: this.auditContext(ssid),
          tcontext: this.auditContext(tsid),
          tclass: this.current.classes[tclass - 1]?.name ?? String(tclass),
          permissive: need.denied && r.granted,
        };
        const text = formatAvcRecord(data ? { ...record, data } : record);
        this.sink({ ...record, text });
      }
    }
    return r.granted;
  }

  private auditContext(sid: number): string {
    try {
      return this.sidtab.sidToContext(sid);
    } catch {
      return `unknown_sid_${sid}`;
    }
  }

  checkBatch(ssid: Uint32Array, tsid: Uint32Array, tclass: Uint32Array, requested: Uint32Array, out: Uint8Array, n?: number): void {
    let total: number;
    try {
      total = batchLength(ssid, tsid, tclass, requested, out, n);
    } catch (e) {
      denyAll(out); // a reused buffer must not keep the grants of an earlier call
      throw e;
    }
    const b = this.engine.batch();
    for (let start = 0; start < total; start += b.capacity) {
      const len = Math.min(b.capacity, total - start);
      b.ssid.set(ssid.subarray(start, start + len));
      b.tsid.set(tsid.subarray(start, start + len));
      b.tclass.set(tclass.subarray(start, start + len));
      b.requested.set(requested.subarray(start, start + len));
      this.engine.runBatch(len);
      out.set(b.out.subarray(0, len), start);
    }
  }

  // ── booleans, mode, reload ──

  setBoolean(name: string, value: boolean): void {
    requireString('setBoolean', 'name', name);
    requireBoolean('setBoolean', 'value', value);
    const b = this.index.bools.get(name);
    if (!b) throw unknownBool(name);
    this.boolStates[b.value - 1] = value;
    this.seq++;
    const results = condResults(this.current, this.boolStates);
    this.engine.setCondStates(results, this.seq);
    // keep exportImage in step with the engine: patch the state words and the seqno in place
    const dv = new DataView(this.image.buffer, this.image.byteOffset, this.image.byteLength);
    const { offset } = condStateSection(this.image);
    for (let i = 0; i < results.length; i++) dv.setUint32(offset + i * 4, condStateWord(results[i]!), true);
    dv.setUint32(L.H_SEQNO, this.seq, true);
  }

  getBoolean(name: string): boolean {
    requireString('getBoolean', 'name', name);
    const b = this.index.bools.get(name);
    if (!b) throw unknownBool(name);
    return this.boolStates[b.value - 1] ?? false;
  }

  setEnforcing(enforcing: boolean): void {
    requireBoolean('setEnforcing', 'enforcing', enforcing);
    const was = this.enforcingMode;
    this.enforcingMode = enforcing;
    this.engine.setEnforcing(enforcing);
    // K sel_write_enforce: switching to enforcing flushes the permissive grants (avc_ss_reset(0))
    if (enforcing && !was) this.engine.reset(0);
  }

  reload(model: PolicyModel): void {
    checkModel('reload', model);
    const index = buildSymbolIndex(model);
    // booleans keep their current values by name (K security_preserve_bools); new ones take defaults
    const byName = new Map(this.current.bools.map((b) => [b.name, this.boolStates[b.value - 1] ?? b.defaultState]));
    const bools = model.bools.map((b) => byName.get(b.name) ?? b.defaultState);
    const prev = { model: this.current, index: this.index, bools: this.boolStates };
    this.current = model;
    this.index = index;
    this.boolStates = bools;
    this.seq++;
    let image: Uint8Array;
    try {
      image = this.buildImage();
    } catch (e) {
      // a policy the kernel would refuse: keep the old one loaded (K security_load_policy fails)
      this.current = prev.model;
      this.index = prev.index;
      this.boolStates = prev.bools;
      this.seq--;
      throw e;
    }
    try {
      this.sidtab.reload(model, index);
      this.engine.reload(image, this.sidtab.exportBytes());
    } catch (e) {
      // the engine refused the image (or ran out of memory) after the SID table moved on: put the
      // old policy back everywhere, so no decision mixes the new SID records with the old image
      this.current = prev.model;
      this.index = prev.index;
      this.boolStates = prev.bools;
      this.seq--;
      this.sidtab.reload(prev.model, prev.index);
      this.engine.reload(this.image, this.sidtab.exportBytes());
      throw e;
    }
    this.image = image;
  }

  // ── new-object labels (src/security/new-labels.ts) ──

  /**
   * compute_create / compute_member / compute_relabel (K security_transition_sid & co), decided by
   * the Wasm core over the policy image (src/security/wasm-labels.ts); `name` for create only
   */
  computeNewLabel(kind: NewLabelKind, ssid: number, tsid: number, tclass: number, name?: string, flavour?: 'kernel' | 'libsepol'): NewLabelAnswer {
    return this.labeler().answer(kind, ssid, tsid, tclass, name, flavour);
  }

  /**
   * The new context's SID only (K security_transition_sid / security_member_sid /
   * security_change_sid hand out a SID): 0 when the result has no SID — not valid, or no context
   * could be formed; computeNewLabel then says why. Unknown SIDs and classes throw as in computeNewLabel.
   */
  computeNewLabelSid(kind: NewLabelKind, ssid: number, tsid: number, tclass: number, name?: string, flavour?: 'kernel' | 'libsepol'): number {
    return this.labeler().sid(kind, ssid, tsid, tclass, name, flavour);
  }

  /** The same answer computed in TS over the policy model (src/security/compute-sid.ts): the differential tests' oracle. */
  computeNewLabelReference(kind: NewLabelKind, ssid: number, tsid: number, tclass: number, name?: string, flavour?: 'kernel' | 'libsepol'): NewLabelAnswer {
    return answerNewLabel(this.labelHost(), kind, ssid, tsid, tclass, name, flavour);
  }

  private labelerCache: { model: PolicyModel; labeler: WasmLabeler } | undefined;

  private labeler(): WasmLabeler {
    const c = this.labelerCache;
    if (c && c.model === this.current) return c.labeler;
    const server = this;
    const sidtab = this.sidtab;
    const labeler = new WasmLabeler({
      model: this.current,
      get enforcing() {
        return server.enforcingMode;
      },
      engine: this.engine,
      decisionContext: (sid) => sidtab.decisionContext(sid),
      contextToSid: (text) => server.contextToSid(text),
      sidToContext: (sid) => sidtab.sidToContext(sid),
    });
    this.labelerCache = { model: this.current, labeler };
    return labeler;
  }

  /** validatetrans / mlsvalidatetrans on a relabel (K security_validate_transition_user) */
  validateTransition(oldsid: number, newsid: number, tasksid: number, tclass: number): boolean {
    return answerValidateTrans(this.labelHost(), oldsid, newsid, tasksid, tclass);
  }

  private labelHostCache: { seq: number; model: PolicyModel; host: LabelHost } | undefined;

  private labelHost(): LabelHost {
    const c = this.labelHostCache;
    if (c && c.seq === this.seq && c.model === this.current) return c.host;
    const model = this.current;
    const interner = c && c.model === model ? c.host.interner : new ResultInterner();
    const results = condResults(model, this.boolStates);
    const tables = labelTables(model);
    const sidtab = this.sidtab;
    const server = this;
    const host: LabelHost = {
      model,
      get enforcing() {
        return server.enforcingMode;
      },
      decisionContext: (sid) => sidtab.decisionContext(sid),
      contextToSid: (text) => server.contextToSid(text),
      env: { model, tables, condResults: results },
      sepolEnv: { model, tables, condResults: results, flavour: 'libsepol' },
      interner,
    };
    this.labelHostCache = { seq: this.seq, model, host };
    return host;
  }

  // ── AVC and audit ──

  avcStats(): AvcStats {
    return this.engine.stats();
  }

  avcHashStats(): string {
    return this.engine.hashStats();
  }

  onAudit(sink: AuditSink | undefined): void {
    if (sink !== undefined && typeof sink !== 'function') throw badArgument('onAudit', `sink must be a function or undefined, got ${describeValue(sink)}`);
    this.sink = sink;
  }

  /** The current policy image (with the current boolean states), for WasmEngine.create in a worker. */
  exportImage(): Uint8Array {
    return sealImage(this.image.slice()); // WasmEngine.loadImage refuses it if corrupted in between
  }

  /** The current SID records, for WasmEngine.create in a worker. */
  exportSidTable(): Uint8Array {
    return this.sidtab.exportBytes();
  }
}

/**
 * Boolean overrides by name: a Map, or an object whose OWN enumerable keys are the names (so
 * `__proto__`, `constructor`, … are names like any other, and unknown names are refused).
 */
function initialBools(model: PolicyModel, overrides: LoadPolicyOptions['booleans']): boolean[] {
  const states = model.bools.map((b) => b.defaultState);
  const entries = overrides instanceof Map ? [...overrides.entries()] : Object.entries(overrides ?? {});
  for (const [name, value] of entries) {
    const b = model.bools.find((x) => x.name === name);
    if (!b) throw unknownBool(String(name));
    states[b.value - 1] = requireBoolean('createSecurityServer', `boolean ${String(name)}`, value);
  }
  return states;
}

const HANDLE_UNKNOWN = new Set<unknown>(['allow', 'deny', 'reject']);

function checkLoadOptions(options: unknown): void {
  const api = 'createSecurityServer';
  requireOptions(api, 'options', options);
  const o = (options ?? {}) as LoadPolicyOptions;
  if (o.booleans !== undefined && !(o.booleans instanceof Map)) requireOptions(api, 'booleans', o.booleans);
  requireOptions(api, 'avc', o.avc);
  if (o.enforcing !== undefined) requireBoolean(api, 'enforcing', o.enforcing);
  if (o.handleUnknown !== undefined && !HANDLE_UNKNOWN.has(o.handleUnknown)) {
    throw badArgument(api, `handleUnknown must be 'allow', 'deny' or 'reject', got ${describeValue(o.handleUnknown)}`);
  }
}

function checkModel(api: string, model: unknown): void {
  if (typeof model !== 'object' || model === null) throw badArgument(api, `the policy model must be an object, got ${describeValue(model)}`);
}

/**
 * The number of checks a checkBatch call makes, after checking its arguments: four Uint32Arrays
 * (their values are u32 by construction, no per-element check) and a Uint8Array, all of one length
 * L, and n an integer in 0..L (default L). Other array kinds would be converted mod 2^32 by
 * TypedArray#set (a Float64Array holding 2^32 + sid would name `sid`); arrays of different lengths
 * would leave answer slots unwritten.
 */
function batchLength(ssid: unknown, tsid: unknown, tclass: unknown, requested: unknown, out: unknown, n: unknown): number {
  const api = 'checkBatch';
  const lengths = [
    requireTypedArray(api, 'ssid', ssid, 'Uint32Array'),
    requireTypedArray(api, 'tsid', tsid, 'Uint32Array'),
    requireTypedArray(api, 'tclass', tclass, 'Uint32Array'),
    requireTypedArray(api, 'requested', requested, 'Uint32Array'),
    requireTypedArray(api, 'out', out, 'Uint8Array'),
  ];
  const len = lengths[0]!;
  if (lengths.some((l) => l !== len)) throw badArgument(api, `ssid/tsid/tclass/requested/out must have one length, got ${lengths.join('/')}`);
  return n === undefined ? len : requireInt(api, 'n', n, 0, len);
}

/** Build the Wasm-backed security server for `model` (synchronous; the module is cached per process). */
export function createSecurityServer(model: PolicyModel, options?: LoadPolicyOptions): WasmSecurityServer {
  return new WasmSecurityServer(model, options);
}
