/**
 * New-object labels: the kernel's security_compute_sid behind security_transition_sid
 * (compute_create), security_member_sid (compute_member) and security_change_sid (compute_relabel)
 * (K security/selinux/ss/services.c security_compute_sid, K ss/mls.c mls_compute_sid), over the
 * contexts as symbol values. Pure: the caller owns SIDs, booleans and the enforcing mode.
 * The security server decides in the Wasm core (assembly/transition.ts, same order); this TS
 * computation is the reference the differential tests hold the core to
 * (test/differential/label-wasm-vs-ts.test.ts, server.computeNewLabelReference).
 *
 * Order, as in the kernel:
 * 1. user: create/relabel take the source user (the target's with `default_user target`); member
 *    always takes the target user.
 * 2. role: `default_role source|target`; else the source role for `process` and socket classes,
 *    `object_r` for every other class.
 * 3. type: `default_type source|target`; else the source type for `process` and sockets, the
 *    target type otherwise. Then the TE rule of the kind asked for, keyed exactly on (source type,
 *    target type, class): the unconditional rule, else the first enabled conditional one.
 * 4. create with an object name: a file-name type_transition (source type, target type, class,
 *    name) overrides the type (K filename_compute_type).
 * 5. create: role_transition (source role, target type, class) overrides the role.
 * 6. MLS (K mls_compute_sid): create: range_transition (source type, target type, class), else the
 *    class's default_range, else as relabel; relabel: the full source range for `process` and
 *    sockets, else the source's low level for both ends; member: the source's low level.
 * 7. validity (K policydb_context_isvalid): an invalid result is refused when enforcing; a
 *    permissive kernel logs it and hands it out (K compute_sid_handle_invalid_context).
 *
 * Kernel vs libsepol: libsepol's sepol_compute_sid (S libsepol/src/services.c) has no socket case
 * (a new socket gets `object_r`, the target type and the low level), no object name, and always
 * refuses an invalid result. svirt follows the kernel; `flavour: 'libsepol'` reproduces libsepol's
 * socket defaults for the conformance suite only.
 */
import { contextIsValid } from '../context/context.js';
import { OBJECT_R_VALUE, type ContextValue, type MlsLevel, type MlsRange, type PolicyModel } from '../policy/model.js';
import type { TypeRuleKind } from '../policy/label-rules.js';
import { filenameKey, type LabelTables } from './label-tables.js';
import { condBranchEnabled } from './reference.js';

export type NewLabelKind = 'create' | 'member' | 'relabel';

export const RULE_KIND: Readonly<Record<NewLabelKind, TypeRuleKind>> = {
  create: 'type_transition',
  member: 'type_member',
  relabel: 'type_change',
};

export interface NewLabelQuery {
  readonly scon: ContextValue;
  readonly tcon: ContextValue;
  readonly tclass: number;
  readonly kind: NewLabelKind;
  /** create only: the new object's name (last path component) */
  readonly name?: string;
}

/**
 * `ok`: the new context (valid). `invalid`: the computed context fails the validity check (refused
 * when enforcing). `error`: no context could be formed (default_range glblub over ranges with no
 * common sensitivity: K mls_context_glblub returns -EINVAL).
 */
export type NewLabelOutcome =
  | { readonly status: 'ok'; readonly context: ContextValue }
  | { readonly status: 'invalid'; readonly context: ContextValue }
  | { readonly status: 'error'; readonly reason: string };

export interface NewLabelEnv {
  readonly model: PolicyModel;
  readonly tables: LabelTables;
  /** per conditional node: 1 true list enabled, 0 false list, -1 neither (src/security/reference.ts) */
  readonly condResults: Int8Array;
  /** `kernel` (default) or `libsepol` (no socket special case; for the conformance suite) */
  readonly flavour?: 'kernel' | 'libsepol';
}

/** The computed fields, written in place by `computeInto` (no allocation on the common path). */
export interface NewLabelScratch {
  user: number;
  role: number;
  type: number;
  /** the new range's levels (shared with the contexts or rules they come from; never mutated); undefined for non-MLS */
  low: MlsLevel | undefined;
  high: MlsLevel | undefined;
  /** true when no context could be formed (glblub without a common sensitivity) */
  failed: boolean;
}

export function newScratch(): NewLabelScratch {
  return { user: 0, role: 0, type: 0, low: undefined, high: undefined, failed: false };
}

/** Steps 1-6 into `out`; the caller checks validity (step 7). `name`: create only. */
export function computeInto(env: NewLabelEnv, kind: NewLabelKind, scon: ContextValue, tcon: ContextValue, tclass: number, name: string | undefined, out: NewLabelScratch): void {
  const { model, tables } = env;
  const d = model.classes[tclass - 1]?.defaults;
  const processLike = tclass === tables.processClass || (env.flavour !== 'libsepol' && tables.socketClass[tclass] === 1);

  out.user = kind === 'member' ? tcon.user : d?.user === 'target' ? tcon.user : scon.user;

  if (d?.role === 'source') out.role = scon.role;
  else if (d?.role === 'target') out.role = tcon.role;
  else out.role = processLike ? scon.role : OBJECT_R_VALUE;

  if (d?.type === 'source') out.type = scon.type;
  else if (d?.type === 'target') out.type = tcon.type;
  else out.type = processLike ? scon.type : tcon.type;

  const rules = kind === 'create' ? tables.typeRules.type_transition : kind === 'member' ? tables.typeRules.type_member : tables.typeRules.type_change;
  const ruled = rules.get(scon.type, tcon.type, tclass) ?? enabledCondRule(env, RULE_KIND[kind], scon.type, tcon.type, tclass);
  if (ruled !== undefined) out.type = ruled;

  if (kind === 'create') {
    if (name !== undefined && tables.filenameRules.size > 0) {
      const named = tables.filenameRules.get(filenameKey(scon.type, tcon.type, tclass, name));
      if (named !== undefined) out.type = named;
    }
    const newRole = tables.roleRules.get(scon.role, tcon.type, tclass);
    if (newRole !== undefined) out.role = newRole;
  }

  out.failed = false;
  out.low = undefined;
  out.high = undefined;
  if (model.mls) newRange(env, kind, scon, tcon, tclass, processLike, out);
}

export function computeNewLabel(env: NewLabelEnv, q: NewLabelQuery): NewLabelOutcome {
  const out = newScratch();
  computeInto(env, q.kind, q.scon, q.tcon, q.tclass, q.name, out);
  if (out.failed) return { status: 'error', reason: 'default_range glblub: the ranges share no sensitivity' };
  const { user, role, type, low, high } = out;
  const context: ContextValue = low && high ? { user, role, type, range: { low, high } } : { user, role, type };
  return contextIsValid(env.model, context) ? { status: 'ok', context } : { status: 'invalid', context };
}

/** First conditional rule for `key` whose branch is enabled (K avtab_search_node_next + AVTAB_ENABLED). */
function enabledCondRule(env: NewLabelEnv, kind: TypeRuleKind, stype: number, ttype: number, tclass: number): number | undefined {
  const list = env.tables.condTypeRules[kind].get(stype, ttype, tclass);
  if (!list) return undefined;
  for (const c of list) if (condBranchEnabled(env.condResults, c.node, c.branch)) return c.result;
  return undefined;
}

/** K ss/mls.c mls_compute_sid into out.low / out.high; out.failed for the glblub failure. */
function newRange(env: NewLabelEnv, kind: NewLabelKind, scon: ContextValue, tcon: ContextValue, tclass: number, processLike: boolean, out: NewLabelScratch): void {
  const s = scon.range;
  const t = tcon.range;
  if (!s || !t) {
    out.failed = true;
    return;
  }
  if (kind === 'create') {
    const ruled = env.tables.rangeRules.get(scon.type, tcon.type, tclass);
    if (ruled) return set(out, ruled.low, ruled.high);
    switch (env.model.classes[tclass - 1]?.defaults?.range) {
      case 'source low':
        return set(out, s.low, s.low);
      case 'source high':
        return set(out, s.high, s.high);
      case 'source low-high':
        return set(out, s.low, s.high);
      case 'target low':
        return set(out, t.low, t.low);
      case 'target high':
        return set(out, t.high, t.high);
      case 'target low-high':
        return set(out, t.low, t.high);
      case 'glblub': {
        const g = glblub(s, t);
        if (!g) out.failed = true;
        else set(out, g.low, g.high);
        return;
      }
      default:
        break;
    }
  }
  if (kind === 'member') return set(out, s.low, s.low);
  return processLike ? set(out, s.low, s.high) : set(out, s.low, s.low);
}

function set(out: NewLabelScratch, low: MlsLevel, high: MlsLevel): void {
  out.low = low;
  out.high = high;
}

/**
 * K mls_context_glblub: greatest of the lows' sensitivities, least of the highs', categories the
 * intersections of the lows and of the highs. No common sensitivity → undefined. The result may
 * still be invalid (high not dominating low): the validity check catches it.
 */
export function glblub(a: MlsRange, b: MlsRange): MlsRange | undefined {
  if (a.high.sens < b.low.sens || b.high.sens < a.low.sens) return undefined;
  const lowLevel: MlsLevel = { sens: Math.max(a.low.sens, b.low.sens), cats: a.low.cats.intersect(b.low.cats) };
  const highLevel: MlsLevel = { sens: Math.min(a.high.sens, b.high.sens), cats: a.high.cats.intersect(b.high.cats) };
  return { low: lowLevel, high: highLevel };
}
