/**
 * Test helper: a name-based, order-independent view of the decision-relevant parts of a PolicyModel,
 * so two models of the same policy (different versions, or text vs binary, whose symbol values may
 * be numbered differently) can be compared with toEqual.
 */
import type { CondNode, ConstraintDef, MlsLevel, PolicyModel } from '../../src/policy/model.js';

function permNames(model: PolicyModel, tclass: number, mask: number): string {
  const perms = model.classes[tclass - 1]!.perms;
  const out: string[] = [];
  for (let bit = 0; bit < 32; bit++) if ((mask >>> bit) & 1) out.push(perms[bit] ?? `bit${bit}`);
  return out.sort().join(',');
}

const KIND: Record<number, string> = { 1: 'allow', 2: 'auditallow', 4: 'auditdeny' };

function avText(model: PolicyModel, e: { source: number; target: number; tclass: number; specified: number; data: number }): string {
  const t = (v: number): string => model.types[v - 1]!.name;
  const cls = model.classes[e.tclass - 1]!.name;
  // auditdeny data is a full 32-bit mask; name the cleared (dontaudit) bits instead
  const data = e.specified === 4 ? `~${permNames(model, e.tclass, ~e.data >>> 0)}` : permNames(model, e.tclass, e.data);
  return `${KIND[e.specified] ?? e.specified} ${t(e.source)} ${t(e.target)}:${cls} ${data}`;
}

function levelText(model: PolicyModel, l: MlsLevel): string {
  return `${model.sensitivities[l.sens - 1]?.name}:${l.cats.toArray().map((i) => model.categories[i]?.name).join(',')}`;
}

function constraintText(model: PolicyModel, tclass: number, c: ConstraintDef): string {
  const table = (attr: number): readonly { name: string }[] => ((attr & 7) === 1 ? model.users : (attr & 7) === 2 ? model.roles : model.types);
  const expr = c.expr
    .map((n) => {
      if (n.exprType !== 5) return `${n.exprType}/${n.attr}/${n.op}`;
      const names = (n.names ?? []).map((v) => table(n.attr)[v - 1]!.name).sort();
      return `names/${n.attr}/${n.op}{${names.join(' ')}}`;
    })
    .join(' ');
  return `${c.mls ? 'mls' : ''}constrain ${permNames(model, tclass, c.perms)} ${expr}`;
}

function condText(model: PolicyModel, c: CondNode): string {
  const expr = c.expr.map((t) => (t.op === 1 ? model.bools[t.bool - 1]!.name : `op${t.op}`)).join(' ');
  const list = (l: CondNode['trueList']): string => l.map((e) => avText(model, e)).sort().join('; ');
  return `if (${expr}) {${list(c.trueList)}} else {${list(c.falseList)}}`;
}

function defaultsText(d: object | undefined): string {
  if (!d) return '{}';
  return Object.entries(d)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${String(v)}`)
    .sort()
    .join(' ');
}

export interface NormalizedPolicy {
  mls: boolean;
  policyCaps: string[];
  classes: string[];
  types: string[];
  attributes: string[];
  roles: string[];
  users: string[];
  bools: string[];
  sensitivities: string[];
  categories: string[];
  avtab: string[];
  conds: string[];
  constraints: string[];
  roleAllows: string[];
  initialSids: string[];
}

export function normalize(model: PolicyModel): NormalizedPolicy {
  const tn = (v: number): string => model.types[v - 1]!.name;
  const rn = (v: number): string => model.roles[v - 1]!.name;
  const sorted = (a: string[]): string[] => a.sort();
  return {
    mls: model.mls,
    policyCaps: sorted([...model.policyCaps]),
    classes: sorted(model.classes.map((c) => `${c.name}(${c.common ?? ''}) ${c.perms.join(',')} ${defaultsText(c.defaults)}`)),
    types: sorted(
      model.types.filter((t) => !t.attribute).map((t) => `${t.name} [${[...t.aliases].sort().join(',')}] bounds=${t.bounds ? tn(t.bounds) : '-'} permissive=${t.permissive} attrs=${model.typeAttrMap[t.value - 1]!.filter((v) => v !== t.value).map(tn).sort().join(',')}`),
    ),
    attributes: sorted(model.types.filter((t) => t.attribute).map((t) => `${t.name}: ${model.attrTypes[t.value - 1]!.map(tn).sort().join(',')}`)),
    // object_r's dominates is left out: the kernel replaces its datum by an empty built-in one
    // (K ss/policydb.c:role_read/roles_init), a front end reading text may list object_r itself.
    roles: sorted(model.roles.map((r) => `${r.name} types=${r.types.map(tn).sort().join(',')} dom=${r.name === 'object_r' ? '*' : r.dominates.map(rn).sort().join(',')}`)),
    users: sorted(
      model.users.map((u) => `${u.name} roles=${u.roles.map(rn).sort().join(',')} range=${u.range ? `${levelText(model, u.range.low)}-${levelText(model, u.range.high)}` : '-'} dflt=${u.defaultLevel ? levelText(model, u.defaultLevel) : '-'}`),
    ),
    bools: sorted(model.bools.map((b) => `${b.name}=${b.defaultState}`)),
    sensitivities: model.sensitivities.map((s) => `${s.name} [${[...s.aliases].sort().join(',')}] ${s.allowedCats.size}`),
    categories: model.categories.map((c) => `${c.name} [${[...c.aliases].sort().join(',')}]`),
    avtab: sorted(model.avtab.map((e) => avText(model, e))),
    conds: sorted(model.conds.map((c) => condText(model, c))),
    constraints: sorted(model.classes.flatMap((c) => [...c.constraints, ...c.validatetrans].map((k) => `${c.name}: ${constraintText(model, c.value, k)}`))),
    roleAllows: sorted(model.roleAllows.map(([a, b]) => `${rn(a)}->${rn(b)}`)),
    // the binary only holds initial SIDs that have a context (checkpolicy omits the others)
    initialSids: sorted(model.initialSids.filter((s) => s.context).map((s) => `${s.name}=${s.context ? `${model.users[s.context.user - 1]!.name}:${rn(s.context.role)}:${tn(s.context.type)}` : '-'}`)),
  };
}
