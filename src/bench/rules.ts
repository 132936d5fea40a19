/**
 * The sVirt rules flattened for peers that are not SELinux engines (casbin, Cedar): a type
 * enforcement allow table over the workload's types (attributes and enabled conditional rules
 * already applied) plus the MCS rule `h1 dom h2 or t1 not in mcs_constrained_type` per class.
 *
 * Exactness: the flattening is exact for the workload, or it says which permissions it cannot
 * model. A constraint of the MCS shape is modelled; any other constraint is evaluated for every
 * (subject, object) pair of the workload, and when it is false for some pair its permissions are
 * "unmodeled" and the workload never requests them. process:transition/dyntransition (RBAC) are
 * unmodeled too. A permissive or bounded subject type cannot be modelled at all (the AVC grants
 * permissive denials; typebounds mask through another type) and is refused.
 * Peers are still verified query by query against the engine before any timing (verify.ts).
 */
import { benchError } from '../errors.js';
import {
  CEXPR_ATTR,
  CEXPR_DOM,
  CEXPR_H1H2,
  CEXPR_NAMES,
  CEXPR_NEQ,
  CEXPR_OR,
  CEXPR_TYPE,
  type ConstraintDef,
} from '../policy/model.js';
import { condResults, defaultBoolStates, evalConstraintExpr, processTransMask, teCompute } from '../security/reference.js';
import type { BenchClass, BenchLabel, WorkloadFrame } from './workload.js';

export interface SvirtRules {
  /** workload type names (subjects and objects) */
  readonly typeNames: readonly string[];
  /** TE allowed bits keyed `STYPE|TTYPE|CLASSINDEX` (absent = nothing allowed) */
  readonly te: ReadonlyMap<string, number>;
  /** subject types the MCS rule binds (t1 in mcs_constrained_type) */
  readonly constrainedTypes: ReadonlySet<string>;
  /** per workload class: bits granted only when h1 dom h2 (for constrained subjects) */
  readonly mcsPerms: readonly number[];
  /** per workload class: bits these rules cannot decide exactly for this workload */
  readonly unmodeled: readonly number[];
}

export function teKey(stype: string, ttype: string, cls: number): string {
  return `${stype}|${ttype}|${cls}`;
}

/** The permission names of `mask`'s bits in class `c` (bit order). */
export function permNames(c: Pick<BenchClass, 'perms'>, mask: number): string[] {
  return c.perms.filter((_, bit) => ((mask >>> bit) & 1) === 1);
}

/** Every TE rule of the flattened table with a non-empty allowed mask: (source type, target type, class index, mask). */
export function forEachTeRule(w: Pick<WorkloadFrame, 'classes'>, rules: SvirtRules, visit: (stype: string, ttype: string, cls: number, allowed: number) => void): void {
  for (const s of rules.typeNames) {
    for (const t of rules.typeNames) {
      for (let ci = 0; ci < w.classes.length; ci++) {
        const allowed = rules.te.get(teKey(s, t, ci)) ?? 0;
        if (allowed !== 0) visit(s, t, ci, allowed);
      }
    }
  }
}

/** The type values of `(h1 dom h2) or (t1 != NAMES)`, in either operand order; undefined otherwise. */
export function mcsConstraintNames(c: ConstraintDef): readonly number[] | undefined {
  const e = c.expr;
  if (e.length !== 3 || e[2]?.exprType !== CEXPR_OR) return undefined;
  const isDom = (n: (typeof e)[number] | undefined): boolean => n?.exprType === CEXPR_ATTR && n.attr === CEXPR_H1H2 && n.op === CEXPR_DOM;
  const names = (n: (typeof e)[number] | undefined): readonly number[] | undefined =>
    n?.exprType === CEXPR_NAMES && n.attr === CEXPR_TYPE && n.op === CEXPR_NEQ ? (n.names ?? []) : undefined;
  if (isDom(e[0])) return names(e[1]);
  if (isDom(e[1])) return names(e[0]);
  return undefined;
}

/** Flatten the policy for the frame's labels and classes (see the module comment). */
export function flattenRules(frame: WorkloadFrame): SvirtRules {
  const { model, labels, classes, subjects } = frame;
  const results = condResults(model, defaultBoolStates(model));
  const subjTypes = new Set<number>();
  for (const s of subjects) subjTypes.add(labels[s]!.value.type);
  for (const t of subjTypes) {
    const def = model.types[t - 1]!;
    if (def.permissive) throw benchError('workload', `subject type ${def.name} is permissive: its denials are granted by the AVC and cannot be modelled`);
    if (def.bounds !== 0) throw benchError('workload', `subject type ${def.name} has typebounds: not modelled by the flattened rules`);
  }
  const allTypes = new Set<number>(labels.map((l) => l.value.type));
  const te = new Map<string, number>();
  for (const s of subjTypes) {
    for (const t of allTypes) {
      classes.forEach((c, ci) => {
        const allowed = teCompute(model, s, t, c.value, results).allowed >>> 0;
        if (allowed !== 0) te.set(teKey(model.types[s - 1]!.name, model.types[t - 1]!.name, ci), allowed);
      });
    }
  }
  let constrained: Set<number> | undefined;
  const mcsPerms: number[] = [];
  const unmodeled: number[] = [];
  for (const c of classes) {
    const def = model.classes[c.value - 1]!;
    let mcs = 0;
    let other = processTransMask(model, c.value);
    for (const k of def.constraints) {
      const names = mcsConstraintNames(k);
      if (names) {
        const bound = new Set(names.filter((v) => subjTypes.has(v)));
        if (constrained && !sameSet(constrained, bound)) {
          throw benchError('workload', `class ${c.name}: MCS constraints bind different subject types; the flattened rules have one constrained set`);
        }
        constrained = bound;
        mcs |= k.perms;
        continue;
      }
      if (!holdsForAll(frame, k)) other |= k.perms;
    }
    mcsPerms.push(mcs >>> 0);
    unmodeled.push(other >>> 0);
  }
  const typeNames = [...allTypes].map((t) => model.types[t - 1]!.name);
  const constrainedTypes = new Set([...(constrained ?? [])].map((t) => model.types[t - 1]!.name));
  return { typeNames, te, constrainedTypes, mcsPerms, unmodeled };
}

function sameSet(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  if (a.size !== b.size) return false;
  for (const v of a) if (!b.has(v)) return false;
  return true;
}

/** Is constraint `k` true for every subject x label pair of the frame? */
function holdsForAll(frame: WorkloadFrame, k: ConstraintDef): boolean {
  for (const s of frame.subjects) {
    for (const o of frame.labels) {
      if (!evalConstraintExpr(frame.model, k.expr, frame.labels[s]!.value, o.value)) return false;
    }
  }
  return true;
}

/** h1 dom h2 for MCS/MLS high levels given as (sensitivity, ascending category indexes). */
export function highDominates(s: Pick<BenchLabel, 'sens' | 'cats'>, o: Pick<BenchLabel, 'sens' | 'cats'>): boolean {
  if (s.sens < o.sens) return false;
  const a = s.cats;
  const b = o.cats;
  let i = 0;
  for (const c of b) {
    while (i < a.length && a[i]! < c) i++;
    if (i >= a.length || a[i] !== c) return false;
    i++;
  }
  return true;
}

/** The flattened rules' decision for one permission bit: what casbin and Cedar are asked to express. */
export function rulesDecide(rules: SvirtRules, s: BenchLabel, o: BenchLabel, cls: number, bit: number): boolean {
  const mask = (1 << bit) >>> 0;
  const allowed = rules.te.get(teKey(s.typeName, o.typeName, cls)) ?? 0;
  if ((allowed & mask) === 0) return false;
  if ((rules.mcsPerms[cls]! & mask) !== 0 && rules.constrainedTypes.has(s.typeName) && !highDominates(s, o)) return false;
  return true;
}
