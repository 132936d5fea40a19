/**
 * The new-object label calls over SIDs as computed in TS: compute_create / compute_member /
 * compute_relabel (src/security/compute-sid.ts; the reference behind
 * server.computeNewLabelReference — the server itself answers from the Wasm core,
 * src/security/wasm-labels.ts) and validatetrans (src/security/validatetrans.ts).
 *
 * Fail closed: an unknown SID or class is an error, never a default label; an invalid result is
 * refused when enforcing (K compute_sid_handle_invalid_context returns -EACCES). A permissive
 * kernel hands the invalid context out anyway (after logging it): svirt returns its text with
 * status `invalid` and no SID, because the SID table only holds valid contexts.
 */
import { contextIsValid, formatContext } from '../context/context.js';
import { badSid, unknownClass } from '../errors.js';
import type { ContextValue, MlsLevel, PolicyModel } from '../policy/model.js';
import { computeInto, newScratch, type NewLabelEnv, type NewLabelKind, type NewLabelScratch } from './compute-sid.js';
import { validateTransition } from './validatetrans.js';

export interface NewLabelAnswer {
  /** `ok`: a valid new context; `invalid`: the computed context is not valid; `error`: none could be formed */
  readonly status: 'ok' | 'invalid' | 'error';
  /** true when the caller may use the context: `ok`, or `invalid` on a permissive server */
  readonly granted: boolean;
  /** the new context's text (absent for `error`) */
  readonly context?: string;
  /** its SID (`ok` only) */
  readonly sid?: number;
  /** why (for `error`) */
  readonly reason?: string;
}

/** What the label calls need from the security server. */
export interface LabelHost {
  readonly model: PolicyModel;
  readonly enforcing: boolean;
  /** the context a decision uses for `sid`, undefined for SID 0 / never issued */
  decisionContext(sid: number): ContextValue | undefined;
  contextToSid(text: string): number;
  /** the computation's inputs: kernel flavour, and libsepol's (conformance only) */
  readonly env: NewLabelEnv;
  readonly sepolEnv: NewLabelEnv;
  /** the interning table for this host's model (one per model: see ResultInterner) */
  readonly interner: ResultInterner;
}

interface Interned {
  /** 0 when the context is not valid */
  readonly sid: number;
  readonly text: string;
}

/**
 * Computed context → (SID, text), so a repeated result skips the validity check, the formatting
 * and the SID-table lookup by text (the kernel's sidtab_context_to_sid hashes the context the same
 * way). Keyed by the identity of the low and high level objects (compute-sid.ts hands out the
 * levels of the source / target contexts or of the rule, never copies) and user/role/type. A result's validity and text
 * depend only on the model, so the table lives as long as its model; SIDs are never reused.
 */
export class ResultInterner {
  /** low level → high level → user * 2^16 + role → type → entry (small-integer keys: no allocation per lookup) */
  private readonly byLevels = new Map<MlsLevel | null, Map<MlsLevel | null, Map<number, Map<number, Interned>>>>();
  private entries = 0;
  /** bound on remembered results; beyond it the table starts again (memory stays bounded) */
  static readonly LIMIT = 1 << 16;

  lookup(host: LabelHost, out: NewLabelScratch): Interned {
    const lowKey = out.low ?? null;
    const highKey = out.high ?? null;
    let byHigh = this.byLevels.get(lowKey);
    let byUserRole = byHigh?.get(highKey);
    const ur = out.user * 65536 + out.role;
    let inner = byUserRole?.get(ur);
    const hit = inner?.get(out.type);
    if (hit) return hit;
    const { user, role, type, low, high } = out;
    const context: ContextValue = low && high ? { user, role, type, range: { low, high } } : { user, role, type };
    const text = formatContext(host.model, context);
    const entry: Interned = contextIsValid(host.model, context) ? { sid: host.contextToSid(text), text } : { sid: 0, text };
    if (this.entries >= ResultInterner.LIMIT) {
      this.byLevels.clear();
      this.entries = 0;
      byHigh = undefined;
      byUserRole = undefined;
      inner = undefined;
    }
    if (!byHigh) this.byLevels.set(lowKey, (byHigh = new Map()));
    if (!byUserRole) byHigh.set(highKey, (byUserRole = new Map()));
    if (!inner) byUserRole.set(ur, (inner = new Map()));
    inner.set(out.type, entry);
    this.entries++;
    return entry;
  }
}

const scratch = newScratch();

export function answerNewLabel(host: LabelHost, kind: NewLabelKind, ssid: number, tsid: number, tclass: number, name?: string, flavour?: 'kernel' | 'libsepol'): NewLabelAnswer {
  const model = host.model;
  const scon = host.decisionContext(ssid);
  if (!scon) throw badSid(ssid);
  const tcon = host.decisionContext(tsid);
  if (!tcon) throw badSid(tsid);
  if (!Number.isInteger(tclass) || !model.classes[tclass - 1]) throw unknownClass(String(tclass));
  computeInto(flavour === 'libsepol' ? host.sepolEnv : host.env, kind, scon, tcon, tclass, name, scratch);
  if (scratch.failed) return { status: 'error', granted: false, reason: 'default_range glblub: the ranges share no sensitivity' };
  const r = host.interner.lookup(host, scratch);
  if (r.sid === 0) return { status: 'invalid', granted: !host.enforcing, context: r.text };
  return { status: 'ok', granted: true, context: r.text, sid: r.sid };
}

/** security_validate_transition_user: true = allowed. Unknown SIDs / classes throw. */
export function answerValidateTrans(host: LabelHost, oldsid: number, newsid: number, tasksid: number, tclass: number): boolean {
  const oldc = host.decisionContext(oldsid);
  if (!oldc) throw badSid(oldsid);
  const newc = host.decisionContext(newsid);
  if (!newc) throw badSid(newsid);
  const task = host.decisionContext(tasksid);
  if (!task) throw badSid(tasksid);
  if (!Number.isInteger(tclass) || !host.model.classes[tclass - 1]) throw unknownClass(String(tclass));
  return validateTransition(host.model, oldc, newc, task, tclass).allowed;
}
