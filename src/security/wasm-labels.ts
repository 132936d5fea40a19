/**
 * compute_create / compute_member / compute_relabel decided by the Wasm core over the policy image
 * (assembly/transition.ts), as compute_av is. TS's part: the file-name type_transition lookup (a
 * string key), and interning a context the core's result index has not seen yet: validity check
 * (K policydb_context_isvalid), formatting, SID allocation (K sidtab_context_to_sid), then
 * telling the core its SID. The TS computation (src/security/compute-sid.ts) stays the reference
 * oracle the differential tests compare with.
 *
 * Fail closed: an unknown SID or class is an error, never a default label; an invalid result is
 * refused when enforcing (K compute_sid_handle_invalid_context returns -EACCES); a permissive
 * kernel hands it out after logging: status `invalid`, `granted`, its text, no SID. A trap in the
 * core or an image whose label rules could not be read is an error, never a label.
 */
import { CategorySet } from '../context/categories.js';
import { contextIsValid, formatContext } from '../context/context.js';
import { badArgument, badSid, unknownClass, wasmFailure } from '../errors.js';
import type { ContextValue, PolicyModel } from '../policy/model.js';
import type { WasmEngine } from '../wasm/engine.js';
import * as L from '../wasm/layout.js';
import type { NewLabelKind } from './compute-sid.js';
import { filenameKey, labelTables } from './label-tables.js';
import type { NewLabelAnswer } from './new-labels.js';

export interface WasmLabelHost {
  readonly model: PolicyModel;
  readonly enforcing: boolean;
  readonly engine: WasmEngine;
  /** the context a decision uses for `sid` (the name lookup needs the two types) */
  decisionContext(sid: number): ContextValue | undefined;
  /** intern a valid context's text (also writes its SID record into the core) */
  contextToSid(text: string): number;
  sidToContext(sid: number): string;
}

const KIND_CODE: Readonly<Record<NewLabelKind, number>> = { create: L.LRULE_TYPE_TRANSITION, member: L.LRULE_TYPE_MEMBER, relabel: L.LRULE_TYPE_CHANGE };

const GLBLUB_ERROR: NewLabelAnswer = Object.freeze({ status: 'error', granted: false, reason: 'default_range glblub: the ranges share no sensitivity' });

/** One per (server, model): the answers for valid results, by SID (a SID's text never changes). */
export class WasmLabeler {
  private readonly okBySid: Array<NewLabelAnswer | undefined> = [];
  /** texts of indexed invalid contexts by their number, valid for core generation `invalidGen` */
  private invalidText: Array<string | undefined> = [];
  private invalidGen = -1;

  constructor(private readonly host: WasmLabelHost) {}

  answer(kind: NewLabelKind, ssid: number, tsid: number, tclass: number, name?: string, flavour?: 'kernel' | 'libsepol'): NewLabelAnswer {
    const code = kind === 'create' ? L.LRULE_TYPE_TRANSITION : kind === 'member' ? L.LRULE_TYPE_MEMBER : kind === 'relabel' ? L.LRULE_TYPE_CHANGE : -1;
    // hot path: a plain query whose result the core has indexed (u32 checks: no ToInt32 wrap into another SID)
    if (code >= 0 && name === undefined && ssid >>> 0 === ssid && tsid >>> 0 === tsid && tclass >>> 0 === tclass) {
      const r = this.host.engine.labelCompute(code, ssid, tsid, tclass, 0, flavour === 'libsepol' ? L.LFLAG_LIBSEPOL : 0);
      if (r !== L.LBL_MISS && r < L.LBL_INVALID_FLAG) {
        const a = this.okBySid[r];
        if (a !== undefined) return a;
      }
      return this.finish(r, ssid, tsid, tclass);
    }
    return this.answerChecked(kind, ssid, tsid, tclass, name, flavour);
  }

  /**
   * The new context's SID, as the kernel's security_transition_sid & co hand it out; 0 when the
   * result has no SID (invalid, or no context could be formed: computeNewLabel tells why and,
   * for a permissive server, gives the invalid context's text). Refusals throw as in answer().
   */
  sid(kind: NewLabelKind, ssid: number, tsid: number, tclass: number, name?: string, flavour?: 'kernel' | 'libsepol'): number {
    const code = kind === 'create' ? L.LRULE_TYPE_TRANSITION : kind === 'member' ? L.LRULE_TYPE_MEMBER : kind === 'relabel' ? L.LRULE_TYPE_CHANGE : -1;
    if (code >= 0 && name === undefined && ssid >>> 0 === ssid && tsid >>> 0 === tsid && tclass >>> 0 === tclass) {
      const r = this.host.engine.labelCompute(code, ssid, tsid, tclass, 0, flavour === 'libsepol' ? L.LFLAG_LIBSEPOL : 0);
      if (r !== L.LBL_MISS && r < L.LBL_INVALID_FLAG) return r;
      return this.finish(r, ssid, tsid, tclass).sid ?? 0;
    }
    return this.answerChecked(kind, ssid, tsid, tclass, name, flavour).sid ?? 0;
  }

  /** The general path: argument checks, the file-name lookup, then the core. */
  private answerChecked(kind: NewLabelKind, ssid: number, tsid: number, tclass: number, name?: string, flavour?: 'kernel' | 'libsepol'): NewLabelAnswer {
    const host = this.host;
    if (!Object.hasOwn(KIND_CODE, kind)) throw badArgument('computeNewLabel', `kind must be create, member or relabel, got ${String(kind)}`);
    const code = KIND_CODE[kind];
    if (ssid >>> 0 !== ssid) throw badSid(ssid);
    if (tsid >>> 0 !== tsid) throw badSid(tsid);
    if (tclass >>> 0 !== tclass) throw unknownClass(String(tclass));
    let nameType = 0;
    if (name !== undefined && kind === 'create') {
      if (typeof name !== 'string') throw badArgument('computeNewLabel', 'name must be a string');
      const tables = labelTables(host.model);
      if (tables.filenameRules.size > 0) {
        const s = host.decisionContext(ssid);
        const t = host.decisionContext(tsid);
        if (s && t) nameType = tables.filenameRules.get(filenameKey(s.type, t.type, tclass, name)) ?? 0;
      }
    }
    return this.finish(host.engine.labelCompute(code, ssid, tsid, tclass, nameType, flavour === 'libsepol' ? L.LFLAG_LIBSEPOL : 0), ssid, tsid, tclass);
  }

  /** Everything but an already-answered SID: first answers, invalid contexts, misses, refusals. */
  private finish(r: number, ssid: number, tsid: number, tclass: number): NewLabelAnswer {
    if (r !== L.LBL_MISS && r < L.LBL_INVALID_FLAG) return this.okBySid[r] ?? this.remember(r);
    if (r !== L.LBL_MISS && r < L.LBL_FIRST_CODE) return this.invalidAnswer(this.invalidTextOf(r & ~L.LBL_INVALID_FLAG));
    switch (r) {
      case L.LBL_MISS:
        return this.intern();
      case L.LBL_GLBLUB:
        return GLBLUB_ERROR;
      case L.LBL_BAD_SSID:
        throw badSid(ssid);
      case L.LBL_BAD_TSID:
        throw badSid(tsid);
      case L.LBL_BAD_CLASS:
        throw unknownClass(String(tclass));
      case L.LBL_NO_POLICY:
        labelTables(this.host.model); // rethrows the policy's own E_POLICY_UNSUPPORTED when its label rules are unreadable
        throw wasmFailure('new-object label: the core has no usable policy');
      default:
        throw wasmFailure(`new-object label: core returned code ${r}`);
    }
  }

  private invalidAnswer(text: string): NewLabelAnswer {
    return { status: 'invalid', granted: !this.host.enforcing, context: text };
  }

  /** The text of invalid context number `idx` (the core wrote the same context into the result record). */
  private invalidTextOf(idx: number): string {
    this.syncGeneration();
    return this.invalidText[idx] ?? (this.invalidText[idx] = formatContext(this.host.model, this.resultContext()));
  }

  private syncGeneration(): void {
    const gen = this.host.engine.labelGeneration();
    if (gen !== this.invalidGen) {
      this.invalidGen = gen;
      this.invalidText = [];
    }
  }

  private remember(sid: number): NewLabelAnswer {
    const a: NewLabelAnswer = Object.freeze({ status: 'ok', granted: true, context: this.host.sidToContext(sid), sid });
    while (this.okBySid.length <= sid) this.okBySid.push(undefined); // dense: a holey write far out would make it a dictionary
    this.okBySid[sid] = a;
    return a;
  }

  /** The core's result record as a context. */
  private resultContext(): ContextValue {
    const r = this.host.engine.labelResult();
    const { user, role, type } = r;
    if (!this.host.model.mls) return { user, role, type };
    return { user, role, type, range: { low: { sens: r.lowSens, cats: new CategorySet(r.lowCats) }, high: { sens: r.highSens, cats: new CategorySet(r.highCats) } } };
  }

  /** A context the result index has not seen: check, format, intern, tell the core. */
  private intern(): NewLabelAnswer {
    const host = this.host;
    const ctx = this.resultContext();
    const text = formatContext(host.model, ctx);
    if (!contextIsValid(host.model, ctx)) {
      // no SID: the core indexes it and from now on answers LBL_INVALID_FLAG | its number
      const ref = host.engine.labelCacheInsertInvalid();
      if (ref !== 0) {
        this.syncGeneration();
        this.invalidText[ref & ~L.LBL_INVALID_FLAG] = text;
      }
      return this.invalidAnswer(text);
    }
    const sid = host.contextToSid(text);
    host.engine.labelCacheInsert(sid);
    return this.okBySid[sid] ?? this.remember(sid);
  }
}
