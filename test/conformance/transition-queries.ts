/**
 * Seeded query generator for the new-object label conformance suite. Queries are built from the
 * policy's real rules (every type/role/range transition key is a candidate) plus random ones; the
 * contexts are made valid where the rule allows it (a role that holds the type, a user that holds
 * the role, a range inside the user's). The model only supplies names: libsepol decides.
 *
 * Lines: `create|member|relabel SCON TCON CLASS` and `validatetrans OLD NEW TASK CLASS`.
 */
import { formatLevel, formatRange } from '../../src/context/context.js';
import { CategorySet } from '../../src/context/categories.js';
import type { MlsLevel, MlsRange, PolicyModel } from '../../src/policy/model.js';
import { labelRulesOf, type TypeRuleRecord } from '../../src/policy/label-rules.js';
import { Rng } from './generator.js';

export const LABEL_KINDS = ['create', 'member', 'relabel'] as const;
const RULE_TO_KIND = { type_transition: 'create', type_member: 'member', type_change: 'relabel' } as const;

export class ContextMaker {
  private readonly rolesOfType = new Map<number, number[]>();
  private readonly usersOfRole = new Map<number, number[]>();
  readonly domainTypes: number[] = [];
  readonly primaryTypes: number[];

  constructor(
    private readonly model: PolicyModel,
    private readonly rng: Rng,
  ) {
    for (const r of model.roles) {
      if (r.value === 1) continue; // object_r
      for (const t of r.types) {
        const list = this.rolesOfType.get(t) ?? [];
        list.push(r.value);
        this.rolesOfType.set(t, list);
      }
    }
    for (const u of model.users) for (const r of u.roles) this.usersOfRole.set(r, [...(this.usersOfRole.get(r) ?? []), u.value]);
    this.primaryTypes = model.types.filter((t) => !t.attribute).map((t) => t.value);
    for (const t of this.primaryTypes) if ((this.rolesOfType.get(t) ?? []).some((r) => this.usersOfRole.has(r))) this.domainTypes.push(t);
  }

  typeName(v: number): string {
    return this.model.types[v - 1]!.name;
  }

  /** A level: s0 alone, a category pair, a single category, or a random handful. */
  level(): MlsLevel {
    const cats = new CategorySet();
    const n = this.model.categories.length;
    const shape = this.rng.int(0, 3);
    if (shape >= 1) cats.add(this.rng.int(0, n - 1));
    if (shape >= 2) cats.add(this.rng.int(0, n - 1));
    if (shape === 3) for (let i = 0; i < 3; i++) cats.add(this.rng.int(0, n - 1));
    return { sens: 1, cats };
  }

  /** A range: a level, low-high with high ⊇ low, or the full s0-s0:c0.c1023. */
  range(): MlsRange {
    const shape = this.rng.int(0, 3);
    if (shape === 0) {
      const cats = CategorySet.range(0, this.model.categories.length - 1);
      return { low: { sens: 1, cats: new CategorySet() }, high: { sens: 1, cats } };
    }
    const low = this.level();
    if (shape === 1) return { low, high: low };
    const high = this.level();
    return { low, high: { sens: 1, cats: high.cats.union(low.cats) } };
  }

  /** A context whose role holds `type` and whose user holds the role, when one exists; else system_u:object_r. */
  subject(type: number, role?: number): string {
    const m = this.model;
    const roles = role !== undefined ? [role] : (this.rolesOfType.get(type) ?? []).filter((r) => this.usersOfRole.has(r));
    if (roles.length === 0) return this.object(type);
    const r = this.rng.pick(roles);
    const users = this.usersOfRole.get(r) ?? [];
    if (users.length === 0) return this.object(type);
    const u = m.users[this.rng.pick(users) - 1]!;
    let range = this.range();
    // keep it inside the user's range most of the time (an out-of-range context is ERR:BADSCON on both sides)
    if (u.range && this.rng.chance(0.9) && !u.range.high.cats.contains(range.high.cats)) range = this.rng.chance(0.5) ? u.range : { low: u.range.low, high: u.range.low };
    if (!m.mls) return `${u.name}:${m.roles[r - 1]!.name}:${this.typeName(type)}`;
    return `${u.name}:${m.roles[r - 1]!.name}:${this.typeName(type)}:${formatRange(m, range)}`;
  }

  /** `system_u:object_r:TYPE:LEVEL` (or a range now and then). */
  object(type: number): string {
    const m = this.model;
    if (!m.mls) return `system_u:object_r:${this.typeName(type)}`;
    const r = this.rng.chance(0.8) ? formatLevel(m, this.level()) : formatRange(m, this.range());
    return `system_u:object_r:${this.typeName(type)}:${r}`;
  }

  /** Either kind of context for `type`. */
  any(type: number): string {
    return this.rng.chance(0.5) ? this.subject(type) : this.object(type);
  }
}

export interface LabelQuerySet {
  /** lines by group, each `kind SCON TCON CLASS` */
  readonly groups: Record<'rules' | 'roles' | 'ranges' | 'conditional' | 'random', string[]>;
  /** boolean assignments that flip every boolean guarding a conditional type rule */
  readonly flipped: Record<string, boolean>;
}

/** ≥ 5,000 create/member/relabel queries from the policy's rules plus random ones. */
export function labelQueries(model: PolicyModel, seed: number, sizes = { rules: 4000, random: 2000 }): LabelQuerySet {
  const rng = new Rng(seed);
  const mk = new ContextMaker(model, rng);
  const rules = labelRulesOf(model);
  const className = (v: number): string => model.classes[v - 1]!.name;
  const typeRules = rules.filter((r): r is TypeRuleRecord => r.kind.startsWith('type_') && (r as TypeRuleRecord).filename === undefined);
  const uncond = typeRules.filter((r) => !r.cond);
  const cond = typeRules.filter((r) => r.cond);
  const query = (kind: string, s: string, t: string, c: number): string => `${kind} ${s} ${t} ${className(c)}`;

  const fromRule = (r: TypeRuleRecord): string => {
    const kind = rng.chance(0.85) ? RULE_TO_KIND[r.kind] : rng.pick(LABEL_KINDS);
    return query(kind, mk.subject(r.sources[0]!), mk.any(r.targets[0]!), r.classes[0]!);
  };
  const groups: LabelQuerySet['groups'] = { rules: [], roles: [], ranges: [], conditional: [], random: [] };
  // every type_member / type_change rule, the rest sampled from the type_transitions
  for (const r of uncond) if (r.kind !== 'type_transition') groups.rules.push(fromRule(r));
  const transitions = uncond.filter((r) => r.kind === 'type_transition');
  for (const r of rng.sample(transitions, sizes.rules - groups.rules.length)) groups.rules.push(fromRule(r));
  for (const r of cond) groups.conditional.push(fromRule(r));
  for (const r of rules) {
    if (r.kind === 'role_transition') {
      const role = r.roles[0]!;
      const roleDef = model.roles[role - 1]!;
      if (roleDef.types.length === 0) continue; // no context can carry this role
      const stype = rng.pick(roleDef.types);
      groups.roles.push(query(rng.chance(0.8) ? 'create' : rng.pick(LABEL_KINDS), mk.subject(stype, role), mk.object(r.types[0]!), r.classes[0]!));
    } else if (r.kind === 'range_transition') {
      for (let i = 0; i < 4; i++) groups.ranges.push(query(i < 3 ? 'create' : rng.pick(LABEL_KINDS), mk.subject(r.sources[0]!), mk.any(r.targets[0]!), r.classes[0]!));
    }
  }
  const nclasses = model.classes.length;
  for (let i = 0; i < sizes.random; i++) {
    const s = rng.chance(0.8) ? mk.subject(rng.pick(mk.domainTypes)) : mk.object(rng.pick(mk.primaryTypes));
    const t = mk.any(rng.pick(mk.primaryTypes));
    groups.random.push(query(rng.pick(LABEL_KINDS), s, t, rng.int(1, nclasses)));
  }
  const flipped: Record<string, boolean> = {};
  for (const r of cond) {
    for (const tok of model.conds[r.cond!.node]?.expr ?? []) {
      if (tok.bool === 0) continue;
      const b = model.bools[tok.bool - 1]!;
      flipped[b.name] = !b.defaultState;
    }
  }
  return { groups, flipped };
}

// ───────────────────── Debian's policy plus default_* and validatetrans rules ─────────────────────

/**
 * Debian's policy has no default_user/role/type/range and no (mls)validatetrans rules, so those
 * paths are checked on Debian's policy.conf with these added (compiled by checkpolicy for libsepol,
 * by svirt's text compiler for us). They use every default form and every validatetrans operand.
 * The MLS section comes before users and roles are declared, so u3/r3 appear in validatetrans only.
 */
export const EXTRA_DEFAULTS = [
  'default_user { file sock_file } target;',
  'default_user { dir } source;',
  'default_role { dir lnk_file } source;',
  'default_role { chr_file } target;',
  'default_type { lnk_file unix_stream_socket } source;',
  'default_type { blk_file } target;',
  'default_range { file } target low-high;',
  'default_range { sock_file } source high;',
  'default_range { fifo_file } glblub;',
  'default_range { chr_file } target low;',
  'default_range { blk_file } target high;',
  'default_range { dir } source low-high;',
  'default_range { lnk_file } source low;',
];

export const EXTRA_MLS_VALIDATETRANS = [
  'mlsvalidatetrans file ( l1 dom l2 or t3 == { init_t kernel_t } );',
  'mlsvalidatetrans file ( h1 eq h2 or ( l1 domby h2 and t3 != user_t ) );',
  'mlsvalidatetrans dir ( l1 incomp l2 or l1 eq l2 or t3 == sysadm_t );',
  'mlsvalidatetrans chr_file ( h1 dom h2 and l2 domby h2 and not ( l1 incomp h2 ) );',
  'mlsvalidatetrans blk_file ( l1 != l2 or h1 == h2 );',
];

export const EXTRA_VALIDATETRANS = [
  'validatetrans file ( u1 == u2 or t3 == { init_t unconfined_t } or u3 == system_u );',
  'validatetrans lnk_file ( r1 == r2 or r1 dom r2 or t2 == tmp_t );',
  'validatetrans dir ( t1 != t2 or r3 != { user_r staff_r } );',
  'validatetrans sock_file ( r1 domby r2 or r1 incomp r2 or t1 == t2 );',
];

/** Insert the extra rules where policy.conf's grammar wants them. */
export function withLabelExtras(conf: string): string {
  const lines = conf.split('\n');
  const firstSens = lines.findIndex((l) => l.startsWith('sensitivity '));
  const lastMlsConstrain = lines.map((l) => l.startsWith('mlsconstrain ')).lastIndexOf(true);
  const firstSidContext = lines.findIndex((l) => /^sid \S+ \S+:/.test(l));
  if (firstSens < 0 || lastMlsConstrain < 0 || firstSidContext < 0) throw new Error('withLabelExtras: unexpected policy.conf layout');
  const out = [
    ...lines.slice(0, firstSens),
    ...EXTRA_DEFAULTS,
    ...lines.slice(firstSens, lastMlsConstrain + 1),
    ...EXTRA_MLS_VALIDATETRANS,
    ...lines.slice(lastMlsConstrain + 1, firstSidContext),
    ...EXTRA_VALIDATETRANS,
    ...lines.slice(firstSidContext),
  ];
  return out.join('\n');
}

const EXTRA_CLASSES = ['file', 'dir', 'lnk_file', 'chr_file', 'blk_file', 'sock_file', 'fifo_file', 'unix_stream_socket', 'process'];

/** create/member/relabel queries over the classes the extra default_* rules name. */
export function defaultsQueries(model: PolicyModel, seed: number, n: number): string[] {
  const rng = new Rng(seed);
  const mk = new ContextMaker(model, rng);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = rng.chance(0.85) ? mk.subject(rng.pick(mk.domainTypes)) : mk.object(rng.pick(mk.primaryTypes));
    const t = rng.chance(0.3) ? mk.subject(rng.pick(mk.domainTypes)) : mk.object(rng.pick(mk.primaryTypes));
    out.push(`${rng.pick(LABEL_KINDS)} ${s} ${t} ${rng.pick(EXTRA_CLASSES)}`);
  }
  return out;
}

/** validatetrans queries: old/new objects of a few types and levels, tasks of a few domains, some bad fields. */
export function validatetransQueries(model: PolicyModel, seed: number, n: number): string[] {
  const rng = new Rng(seed);
  const mk = new ContextMaker(model, rng);
  const byName = (name: string): number => model.types.find((t) => t.name === name)!.value;
  const objectTypes = ['tmp_t', 'etc_t', 'user_home_t', 'svirt_image_t', 'virt_image_t', 'tty_device_t', 'fixed_disk_device_t'].map(byName);
  const tasks = ['init_t', 'unconfined_t', 'user_t', 'staff_t', 'sysadm_t', 'virtd_t', 'kernel_t', 'svirt_t'].map(byName);
  const classes = ['file', 'dir', 'lnk_file', 'chr_file', 'blk_file', 'sock_file', 'fifo_file', 'process'];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const ctx = (): string => {
      const r = rng.next();
      if (r < 0.15) return mk.subject(rng.pick(mk.domainTypes));
      return mk.object(rng.pick(objectTypes));
    };
    let fields = [ctx(), ctx(), mk.subject(rng.pick(tasks)), rng.pick(classes)];
    const bad = rng.next();
    if (bad < 0.01) fields[rng.int(0, 2)] = 'system_u:object_r:no_such_t:s0';
    else if (bad < 0.015) fields[3] = 'no_such_class';
    else if (bad < 0.02) fields = fields.slice(0, 3);
    out.push(`validatetrans ${fields.join(' ')}`);
  }
  return out;
}
