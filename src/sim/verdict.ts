/**
 * The isolation verdict.
 *
 * PASS iff
 *  1. every own-image operation got the answer the security server gives for (guest, image,
 *     class, perm) under the boolean state of its chunk — in particular every permitted one was
 *     allowed (expectation table, world.ts);
 *  2. no sensitive operation from a guest on another guest's image or process, or on a host
 *     object, was allowed (layout.ts OpDef.sensitive);
 *  3. accounting holds: every planned operation was counted exactly once (lost chunks re-run);
 *  4. after a worker acknowledged a policy reload, no answer of it carried an older seqno.
 *
 * FAIL lists each breach — guest, object, permissions — with the reasons found from the labels
 * and the policy: shared label, image at s0, duplicate pair, guest type not MCS-constrained,
 * categories dominated, type enforcement allows a host type.
 */
import { parseContext } from '../context/context.js';
import { buildSymbolIndex, type ContextValue, type PolicyModel, type SymbolIndex } from '../policy/model.js';
import { decodeObject } from './layout.js';
import type { RunMetrics } from './metrics.js';
import type { World } from './world.js';

export type BreachReason =
  | 'shared label'
  | 'image at s0'
  | 'duplicate pair'
  | 'guest type not MCS-constrained'
  | 'categories dominated'
  | 'type enforcement allows host access'
  | 'policy allows';

export interface Breach {
  readonly guest: string;
  readonly guestContext: string;
  /** path of the image or host object, or `pid:<guest>` for a process */
  readonly object: string;
  readonly objectContext: string;
  /** `image` of another guest, `process` of another guest, or `host` object */
  readonly objectKind: 'image' | 'process' | 'host';
  /** owner of the image or process, when another guest */
  readonly owner?: string;
  readonly tclass: string;
  readonly perms: string[];
  /** allowed operations behind this entry */
  readonly count: number;
  readonly reasons: BreachReason[];
  /** the reasons in words, one line each */
  readonly why: string[];
}

/** An own-image answer that differs from the security server's expectation. */
export interface Mismatch {
  readonly guest: string;
  readonly object: string;
  readonly tclass: string;
  readonly perm: string;
  readonly expected: 'allowed' | 'denied';
  readonly got: 'allowed' | 'denied';
  readonly count: number;
}

export interface Verdict {
  readonly status: 'PASS' | 'FAIL';
  /** one line per failed condition */
  readonly failures: string[];
  readonly breaches: Breach[];
  readonly breachCount: number;
  readonly mismatches: Mismatch[];
  readonly mismatchCount: number;
  /** anomalies counted but not itemised (per-chunk and per-run key caps) */
  readonly notItemised: number;
}

function mcsConstrained(model: PolicyModel, typeValue: number): boolean {
  const attr = model.types.find((t) => t.attribute && t.name === 'mcs_constrained_type');
  if (!attr) return false;
  return (model.typeAttrMap[typeValue - 1] ?? []).includes(attr.value);
}

function parse(model: PolicyModel, index: SymbolIndex, text: string): ContextValue | undefined {
  try {
    return parseContext(model, index, text);
  } catch {
    return undefined;
  }
}

/** Why did `guestContext` get `perms` on `objectContext`? Reasons from labels and type attributes. */
export function explainBreach(
  model: PolicyModel,
  index: SymbolIndex,
  world: World,
  attacker: number,
  objectKind: Breach['objectKind'],
  owner: number | undefined,
  objectContext: string,
  tclass: string,
): { reasons: BreachReason[]; why: string[] } {
  const reasons: BreachReason[] = [];
  const why: string[] = [];
  const guest = world.guests[attacker]!;
  const scon = parse(model, index, guest.process);
  const tcon = parse(model, index, objectContext);
  const stype = model.types[(scon?.type ?? 1) - 1]?.name ?? '?';
  const ttype = model.types[(tcon?.type ?? 1) - 1]?.name ?? '?';
  if (scon && !mcsConstrained(model, scon.type)) {
    reasons.push('guest type not MCS-constrained');
    why.push(`${stype} is not in mcs_constrained_type, so the MCS constraints exempt it (t1 != mcs_constrained_type)`);
  }
  if (objectKind === 'host') {
    reasons.push('type enforcement allows host access');
    why.push(`type enforcement allows ${stype} → ${ttype}:${tclass}; MCS cannot help (the host object is at s0, which every guest dominates)`);
  } else if (owner !== undefined && scon?.range && tcon?.range) {
    const ownerSpec = world.guests[owner]!;
    const ocon = parse(model, index, ownerSpec.process);
    const imgHigh = tcon.range.high;
    if (objectKind === 'image' && imgHigh.cats.isEmpty()) {
      reasons.push('image at s0');
      why.push(`${objectContext} has no categories: every guest's range dominates it`);
    }
    if (ocon?.range && ocon.range.high.sens === scon.range.high.sens && ocon.range.high.cats.equals(scon.range.high.cats)) {
      reasons.push('duplicate pair');
      why.push(`${guest.name} and ${ownerSpec.name} run with the same category set (${guest.process.split(':').slice(3).join(':')})`);
    } else if (objectKind === 'image' && guest.images.includes(objectContext) && !imgHigh.cats.isEmpty()) {
      reasons.push('shared label');
      why.push(`${objectContext} is also the label of ${guest.name}'s own image`);
    } else if (!imgHigh.cats.isEmpty() && scon.range.high.sens >= imgHigh.sens && scon.range.high.cats.contains(imgHigh.cats)) {
      reasons.push('categories dominated');
      why.push(`${guest.name}'s categories include all of the object's (h1 dom h2 holds)`);
    }
  }
  if (reasons.length === 0) {
    reasons.push('policy allows');
    why.push(`the policy allows ${stype} → ${ttype}:${tclass} at these levels (see \`svirt check\`)`);
  }
  return { reasons, why };
}

/** Hard cap on itemised breaches/mismatches in the verdict (the counts stay exact). */
export const MAX_LISTED = 1000;

export function computeVerdict(
  model: PolicyModel,
  world: World,
  metrics: RunMetrics,
  accounting: { planned: number | undefined; counted: number },
): Verdict {
  const index = buildSymbolIndex(model);
  const { shared: w, catalog } = world;
  const failures: string[] = [];
  const mismatches: Mismatch[] = [];
  let mismatchCount = 0;
  let breachCount = 0;
  // group breaches by (attacker, object): permissions merged
  const grouped = new Map<string, { attacker: number; object: number; cls: number; perms: Set<string>; count: number }>();
  for (const a of metrics.anomalies.values()) {
    const op = catalog.ops[a.op]!;
    const obj = decodeObject(a.object, w);
    if (a.kind === 'mismatch') {
      mismatchCount += a.count;
      if (mismatches.length < MAX_LISTED) {
        const g = world.guests[a.guest]!;
        mismatches.push({
          guest: g.name,
          object: obj.kind === 'image' ? world.guests[obj.guest]!.paths[obj.image]! : String(a.object),
          tclass: catalog.classes[op.cls]!.name,
          perm: op.perm,
          expected: a.result === 1 ? 'denied' : 'allowed',
          got: a.result === 1 ? 'allowed' : 'denied',
          count: a.count,
        });
      }
      continue;
    }
    breachCount += a.count;
    const key = `${a.guest}:${a.object}:${op.cls}`;
    let gEntry = grouped.get(key);
    if (!gEntry) {
      gEntry = { attacker: a.guest, object: a.object, cls: op.cls, perms: new Set(), count: 0 };
      grouped.set(key, gEntry);
    }
    gEntry.perms.add(op.perm);
    gEntry.count += a.count;
  }
  const breaches: Breach[] = [];
  for (const e of [...grouped.values()].sort((x, y) => y.count - x.count)) {
    if (breaches.length >= MAX_LISTED) break;
    const obj = decodeObject(e.object, w);
    const attacker = world.guests[e.attacker]!;
    const tclass = catalog.classes[e.cls]!.name;
    let object: string;
    let objectContext: string;
    let owner: number | undefined;
    if (obj.kind === 'image') {
      owner = obj.guest;
      object = world.guests[obj.guest]!.paths[obj.image]!;
      objectContext = world.guests[obj.guest]!.images[obj.image]!;
    } else if (obj.kind === 'process') {
      owner = obj.guest;
      object = `pid:${world.guests[obj.guest]!.name}`;
      objectContext = world.guests[obj.guest]!.process;
    } else {
      object = world.hosts[obj.index]!.path;
      objectContext = world.hosts[obj.index]!.context;
    }
    const { reasons, why } = explainBreach(model, index, world, e.attacker, obj.kind, owner, objectContext, tclass);
    breaches.push({
      guest: attacker.name,
      guestContext: attacker.process,
      object,
      objectContext,
      objectKind: obj.kind,
      ...(owner !== undefined ? { owner: world.guests[owner]!.name } : {}),
      tclass,
      perms: [...e.perms].sort(),
      count: e.count,
      reasons,
      why,
    });
  }
  // anomalies that were only counted (caps) still fail the run: count them from the heatmap
  let heatAnomalies = 0;
  for (const v of metrics.heatAnomaly) heatAnomalies += v;
  const notItemised = Math.max(0, heatAnomalies - breachCount - mismatchCount);
  if (breachCount > 0 || notItemised > 0) {
    const reasons = [...new Set(breaches.flatMap((b) => b.reasons))];
    failures.push(`${breachCount + notItemised} cross-boundary operation(s) allowed (${reasons.join(', ') || 'not itemised'})`);
  }
  if (mismatchCount > 0) failures.push(`${mismatchCount} own-image answer(s) differ from the security server's expectation`);
  if (accounting.planned !== undefined && accounting.planned !== accounting.counted) {
    failures.push(`accounting: ${accounting.planned} operations planned, ${accounting.counted} counted`);
  }
  if (metrics.staleAnswers.length > 0) {
    failures.push(`${metrics.staleAnswers.length} chunk(s) answered from a policy older than the one the worker acknowledged`);
  }
  return {
    status: failures.length === 0 ? 'PASS' : 'FAIL',
    failures,
    breaches,
    breachCount: breachCount + notItemised,
    mismatches,
    mismatchCount,
    notItemised,
  };
}
