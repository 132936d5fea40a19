/**
 * Seeded random policies (policy.conf text) for the new-object label differential test: random
 * type_transition / type_member / type_change rules (plain, file-name, and conditional in both
 * branches of boolean blocks), role_transition, range_transition, default_user / default_role /
 * default_type / default_range per class, roles and users that authorise only some of the results
 * (so invalid results occur), MLS or not. Every rule key is used once (checkpolicy refuses two
 * results for one key), except the two branches of one conditional block.
 */
import { seededRng } from '../../src/label/mcs-alloc.js';

export interface LabelPolicy {
  readonly text: string;
  readonly mls: boolean;
  readonly users: readonly string[];
  readonly roles: readonly string[];
  readonly types: readonly string[];
  readonly classes: readonly string[];
  readonly bools: readonly string[];
  readonly names: readonly string[];
  readonly sens: number;
  readonly cats: number;
}

const CLASSES = ['process', 'file', 'dir', 'tcp_socket', 'unix_dgram_socket', 'chr_file', 'lnk_file'];
const RANGES = ['source low', 'source high', 'source low-high', 'target low', 'target high', 'target low-high', 'glblub'];

export function randomLabelPolicy(seed: number): LabelPolicy {
  const rnd = seededRng(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const mls = rnd() < 0.75;
  const ntypes = 5 + int(8);
  const types = Array.from({ length: ntypes }, (_, i) => `t${i}_t`);
  const roles = ['r0_r', 'r1_r', 'r2_r'];
  const users = ['u0_u', 'u1_u'];
  const bools = ['b0', 'b1'];
  const names = ['a.conf', 'b', 'lib'];
  const sens = 1 + int(3);
  const cats = 4 + int(5);
  const L: string[] = [];
  for (const c of CLASSES) L.push(`class ${c}`);
  L.push('sid kernel', 'sid unlabeled');
  L.push('common base { read write create relabelfrom relabelto }');
  for (const c of CLASSES) L.push(c === 'process' ? 'class process { transition signal }' : `class ${c} inherits base`);
  for (const c of CLASSES) {
    if (rnd() < 0.25) L.push(`default_user ${c} ${pick(['source', 'target'])};`);
    if (rnd() < 0.25) L.push(`default_role ${c} ${pick(['source', 'target'])};`);
    if (rnd() < 0.25) L.push(`default_type ${c} ${pick(['source', 'target'])};`);
    if (mls && rnd() < 0.3) L.push(`default_range ${c} ${pick(RANGES)};`);
  }
  const level = (s: number): string => `s${s}`;
  if (mls) {
    for (let s = 0; s < sens; s++) L.push(`sensitivity s${s};`);
    L.push(`dominance { ${Array.from({ length: sens }, (_, s) => `s${s}`).join(' ')} }`);
    for (let c = 0; c < cats; c++) L.push(`category c${c};`);
    for (let s = 0; s < sens; s++) L.push(`level s${s}:c0.c${cats - 1};`);
    // checkpolicy's grammar requires an MLS policy to state at least one MLS constraint; this one
    // holds for every valid range and bears on access decisions only, never on new labels
    L.push('mlsconstrain file { read } (l1 domby h1);');
  }
  for (const t of types) L.push(`type ${t};`);
  for (const b of bools) L.push(`bool ${b} ${rnd() < 0.5 ? 'true' : 'false'};`);
  for (const r of roles) {
    const allowed = types.filter(() => rnd() < 0.6);
    L.push(`role ${r};`);
    if (allowed.length) L.push(`role ${r} types { ${allowed.join(' ')} };`);
  }
  L.push(`allow ${types[0]} self:process signal;`);
  const randomRange = (): string => {
    const lo = int(sens);
    const hi = lo + int(sens - lo);
    const loCats = Array.from({ length: cats }, (_, c) => c).filter(() => rnd() < 0.3);
    const hiCats = [...new Set([...loCats, ...Array.from({ length: cats }, (_, c) => c).filter(() => rnd() < 0.5)])].sort((a, b) => a - b);
    const lvl = (s: number, cs: number[]): string => (cs.length ? `${level(s)}:${cs.map((c) => `c${c}`).join(',')}` : level(s));
    return `${lvl(lo, loCats)} - ${lvl(hi, hiCats)}`;
  };
  const used = new Set<string>();
  const fresh = (key: string): boolean => {
    if (used.has(key)) return false;
    used.add(key);
    return true;
  };
  const kinds = ['type_transition', 'type_member', 'type_change'];
  const typeRule = (): string | undefined => {
    const k = pick(kinds);
    const s = pick(types);
    const t = pick(types);
    const c = pick(CLASSES);
    return fresh(`${k} ${s} ${t} ${c}`) ? `${k} ${s} ${t}:${c} ${pick(types)};` : undefined;
  };
  for (let i = 0; i < 10 + int(30); i++) {
    const r = typeRule();
    if (r) L.push(r);
  }
  for (let i = 0; i < 4 + int(6); i++) {
    const s = pick(types);
    const t = pick(types);
    const c = pick(CLASSES);
    const n = pick(names);
    if (fresh(`name ${s} ${t} ${c} ${n}`)) L.push(`type_transition ${s} ${t}:${c} ${pick(types)} "${n}";`);
  }
  for (let i = 0; i < 3 + int(6); i++) {
    const r = pick(roles);
    const t = pick(types);
    const c = pick(CLASSES);
    if (fresh(`role ${r} ${t} ${c}`)) L.push(`role_transition ${r} ${t}:${c} ${pick(roles)};`);
  }
  if (mls) {
    for (let i = 0; i < 2 + int(5); i++) {
      const s = pick(types);
      const t = pick(types);
      const c = pick(CLASSES);
      if (fresh(`range ${s} ${t} ${c}`)) L.push(`range_transition ${s} ${t}:${c} ${randomRange()};`);
    }
  }
  for (const b of bools) {
    const truth: string[] = [];
    const falsity: string[] = [];
    for (let i = 0; i < 2 + int(5); i++) {
      const k = pick(kinds);
      const s = pick(types);
      const t = pick(types);
      const c = pick(CLASSES);
      if (!fresh(`${k} ${s} ${t} ${c}`)) continue;
      const rule = `${k} ${s} ${t}:${c} ${pick(types)};`;
      const where = int(3);
      if (where !== 1) truth.push(rule);
      if (where !== 0) falsity.push(where === 2 ? `${k} ${s} ${t}:${c} ${pick(types)};` : rule);
    }
    if (truth.length === 0 && falsity.length === 0) continue;
    L.push(`if (${b}) {`, ...truth.map((r) => `  ${r}`), falsity.length ? '} else {' : '', ...falsity.map((r) => `  ${r}`), '}');
  }
  for (const u of users) {
    const rs = roles.filter(() => rnd() < 0.7);
    const userRoles = rs.length ? rs : [roles[0]!];
    L.push(mls ? `user ${u} roles { ${userRoles.join(' ')} } level s0 range s0 - ${level(sens - 1)}:c0.c${cats - 1 - int(2)};` : `user ${u} roles { ${userRoles.join(' ')} };`);
  }
  const ctx = (t: string): string => `${users[0]}:object_r:${t}${mls ? ':s0' : ''}`;
  L.push(`sid kernel ${ctx(types[0]!)}`, `sid unlabeled ${ctx(types[1]!)}`);
  return { text: `${L.filter((l) => l !== '').join('\n')}\n`, mls, users, roles: ['object_r', ...roles], types, classes: CLASSES, bools, names, sens, cats };
}

/** A random context text over the policy's symbols (often invalid: the caller skips those). */
export function randomContext(p: LabelPolicy, rnd: () => number): string {
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const base = `${pick(p.users)}:${pick(p.roles)}:${pick(p.types)}`;
  if (!p.mls) return base;
  const lo = int(p.sens);
  const hi = lo + int(p.sens - lo);
  const cs = Array.from({ length: p.cats }, (_, c) => c).filter(() => rnd() < 0.3);
  const hcs = [...new Set([...cs, ...Array.from({ length: p.cats }, (_, c) => c).filter(() => rnd() < 0.4)])].sort((a, b) => a - b);
  const lvl = (s: number, c: number[]): string => (c.length ? `s${s}:${c.map((x) => `c${x}`).join(',')}` : `s${s}`);
  return `${base}:${lvl(lo, cs)}-${lvl(hi, hcs)}`;
}
