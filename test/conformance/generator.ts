/**
 * Seeded query generator for the libsepol conformance suite.
 *
 * Input: a policy in `checkpolicy -F` text form (Debian's policy.conf, or policies/svirt.conf). The
 * symbols are read from the text with a few regular expressions, independently of src/policy, so a
 * parser bug cannot shape the queries that test it.
 * Output: query lines in the `svirt compute-av` format (src/security/query.ts), in runs; a run is a
 * list of lines answered under one boolean setting.
 *
 * Groups (sizes at scale 1; ≥ 100,000 queries in total):
 *   svirt   svirt_t at random category pairs against its image types and host types at the same,
 *           different, overlapping, subset, superset, empty (`s0`) and full categories, over every
 *           file-like class and process;
 *   random  random valid contexts across all users, roles, types and classes, random permissions;
 *   edge    invalid contexts of every kind, unknown classes/permissions, MALFORMED lines, type
 *           aliases, system-high ranges, category lists out of order/duplicated/mixed, perm syntax;
 *   bool    rules from `if` blocks, at the default booleans and at random settings.
 *
 * CLI: `npx tsx test/conformance/generator.ts POLICY.conf [--seed N] [--scale X] [--out DIR]`
 * prints the counts per group (and writes DIR/<run>.txt plus DIR/<run>.bools when --out is given).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// ───────────────────────────── seeded PRNG ─────────────────────────────

/** mulberry32: small, fast, good enough for test data; same seed → same stream. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** uniform in [0, 1) */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** integer in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('generator: pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** k distinct items (k clamped to the list length), in random order */
  sample<T>(items: readonly T[], k: number): T[] {
    const copy = items.slice();
    const n = Math.min(k, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (copy.length - i));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, n);
  }
}

// ───────────────────────────── policy facts ─────────────────────────────

export interface CondRule {
  readonly source: string;
  readonly target: string;
  readonly tclass: string;
  readonly perms: readonly string[];
}

export interface PolicyFacts {
  /** class name → permission names (common first) */
  readonly classes: Map<string, string[]>;
  /** primary (non-attribute) types */
  readonly types: string[];
  readonly attributes: Set<string>;
  /** attribute → member types */
  readonly attrMembers: Map<string, string[]>;
  /** alias → primary type */
  readonly typeAliases: Map<string, string>;
  /** role → types (object_r is implicit and holds every type) */
  readonly roles: Map<string, string[]>;
  /** type → roles that hold it */
  readonly rolesOfType: Map<string, string[]>;
  /** user → roles and the category indices of its high level (MCS) */
  readonly users: Map<string, { roles: string[]; highCats: Set<number> }>;
  readonly bools: Map<string, boolean>;
  readonly sensitivities: string[];
  readonly categoryCount: number;
  /** allow rules inside `if` blocks (either branch) */
  readonly condRules: CondRule[];
  /** unconditional `allow S T:process { ... transition ... }` rules (for role-change queries) */
  readonly transitionRules: CondRule[];
}

const WORD = /[A-Za-z0-9_.$-]+/g;

function words(s: string): string[] {
  return s.match(WORD) ?? [];
}

/** `c0.c1023,c5` → category indices (names must be cN). */
export function parseCats(text: string): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^c(\d+)(?:\.c(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let i = lo; i <= hi; i++) out.add(i);
  }
  return out;
}

/** Read the symbols the generator needs from policy.conf text (checkpolicy -F layout). */
export function extractFacts(text: string): PolicyFacts {
  const commons = new Map<string, string[]>();
  const classes = new Map<string, string[]>();
  const types: string[] = [];
  const attributes = new Set<string>();
  const attrMembers = new Map<string, string[]>();
  const typeAliases = new Map<string, string>();
  const roles = new Map<string, string[]>();
  const users = new Map<string, { roles: string[]; highCats: Set<number> }>();
  const bools = new Map<string, boolean>();
  const sensitivities: string[] = [];
  const condRules: CondRule[] = [];
  const transitionRules: CondRule[] = [];
  let categoryCount = 0;
  let condDepth = 0;

  const addMember = (attr: string, type: string): void => {
    const list = attrMembers.get(attr);
    if (list) list.push(type);
    else attrMembers.set(attr, [type]);
  };

  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    // several `category cN;` statements may share a line
    if (line.startsWith('category ')) {
      categoryCount += line.split(';').filter((s) => s.trim().startsWith('category ')).length;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^common (\S+) \{([^}]*)\}/.exec(line))) {
      commons.set(m[1]!, words(m[2]!));
    } else if ((m = /^class (\S+)(?: inherits (\S+))?(?: \{([^}]*)\})?\s*$/.exec(line))) {
      const inherited = m[2] ? (commons.get(m[2]) ?? []) : [];
      const own = m[3] ? words(m[3]) : [];
      if (m[2] || m[3]) classes.set(m[1]!, [...inherited, ...own]);
      else if (!classes.has(m[1]!)) classes.set(m[1]!, []);
    } else if ((m = /^attribute (\S+);/.exec(line))) {
      attributes.add(m[1]!);
    } else if ((m = /^type (\S+?)(?: alias (\{[^}]*\}|\S+?))?(?:,[^;]*)?;/.exec(line))) {
      types.push(m[1]!);
      if (m[2]) for (const a of words(m[2])) typeAliases.set(a, m[1]!);
    } else if ((m = /^typealias (\S+) alias (\{[^}]*\}|\S+?);/.exec(line))) {
      for (const a of words(m[2]!)) typeAliases.set(a, m[1]!);
    } else if ((m = /^typeattribute (\S+) ([^;]*);/.exec(line))) {
      for (const a of words(m[2]!)) addMember(a, m[1]!);
    } else if ((m = /^role (\S+)(?: types (\{[^}]*\}|\S+?))?;/.exec(line))) {
      const list = roles.get(m[1]!) ?? [];
      if (m[2]) list.push(...words(m[2]));
      roles.set(m[1]!, list);
    } else if ((m = /^user (\S+) roles (\{[^}]*\}|\S+)(?: level .*? range (.*?))?;/.exec(line))) {
      const range = m[3] ?? '';
      const high = range.includes('-') ? range.slice(range.indexOf('-') + 1).trim() : range.trim();
      const colon = high.indexOf(':');
      users.set(m[1]!, { roles: words(m[2]!), highCats: colon >= 0 ? parseCats(high.slice(colon + 1)) : new Set() });
    } else if ((m = /^bool (\S+) (true|false);/.exec(line))) {
      bools.set(m[1]!, m[2] === 'true');
    } else if ((m = /^sensitivity (\S+?)(?: alias .*)?;/.exec(line))) {
      sensitivities.push(m[1]!);
    } else if (/^if \(/.test(line)) {
      condDepth = 1;
    } else if (condDepth > 0 && /^\}( else \{)?$/.test(line)) {
      if (line === '}') condDepth = 0;
    } else if ((m = /^allow (\S+) (\S+):(\S+) (\{[^}]*\}|\S+);/.exec(line))) {
      const source = m[1]!;
      const target = m[2] === 'self' ? source : m[2]!;
      const rule = { source, target, tclass: m[3]!, perms: words(m[4]!) };
      if (condDepth > 0) condRules.push(rule);
      else if (rule.tclass === 'process' && rule.perms.includes('transition')) transitionRules.push(rule);
    }
  }

  // attribute membership written as `type X, attr1, attr2;` is not used by checkpolicy -F; roles may
  // name attributes in refpolicy sources but not in -F output. Expand role types that are aliases.
  const rolesOfType = new Map<string, string[]>();
  for (const [role, list] of roles) {
    for (const t of list) {
      const primary = typeAliases.get(t) ?? t;
      const rs = rolesOfType.get(primary) ?? [];
      rs.push(role);
      rolesOfType.set(primary, rs);
    }
  }
  const primaries = types.filter((t) => !attributes.has(t));
  return { classes, types: primaries, attributes, attrMembers, typeAliases, roles, rolesOfType, users, bools, sensitivities, categoryCount, condRules, transitionRules };
}

// ───────────────────────────── building blocks ─────────────────────────────

export type GroupName = 'svirt' | 'random' | 'edge' | 'bool';

export interface QueryRun {
  readonly group: GroupName;
  /** unique label, also the file stem with --out */
  readonly label: string;
  /** boolean overrides for this run (empty = policy defaults) */
  readonly bools: Record<string, boolean>;
  readonly lines: string[];
}

export const FILE_CLASSES = ['file', 'dir', 'lnk_file', 'chr_file', 'blk_file', 'sock_file', 'fifo_file'] as const;
export const SVIRT_CLASSES = [...FILE_CLASSES, 'process'] as const;

/** `s0` + canonical-ish category text for a set (random order/syntax is the edge group's job). */
export function levelText(sens: string, cats: Iterable<number>): string {
  const sorted = [...new Set(cats)].sort((a, b) => a - b);
  if (sorted.length === 0) return sens;
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    if (j - i >= 2) parts.push(`c${sorted[i]}.c${sorted[j]}`);
    else for (let k = i; k <= j; k++) parts.push(`c${sorted[k]}`);
    i = j + 1;
  }
  return `${sens}:${parts.join(',')}`;
}

function permText(rng: Rng, perms: readonly string[]): string {
  if (perms.length === 0) return '';
  const r = rng.next();
  if (r < 0.6) return perms.join(' ');
  if (r < 0.8) return `{ ${perms.join(' ')} }`;
  return perms.join(',');
}

/** 0..max random permissions of a class, or all of them with probability pAll. */
function randomPerms(rng: Rng, all: readonly string[], max: number, pAll = 0.15): string[] {
  if (all.length === 0) return [];
  if (rng.chance(pAll)) return all.slice();
  return rng.sample(all, rng.int(1, Math.min(max, all.length)));
}

/** A random category set: mostly from a small universe (so sets overlap), sometimes anywhere. */
function randomCats(rng: Rng, universe: number, allowed?: Set<number>): number[] {
  const small = rng.chance(0.7);
  const n = rng.int(0, small ? 4 : 6);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = small ? rng.int(0, 9) : rng.int(0, universe - 1);
    if (!allowed || allowed.has(c)) out.push(c);
  }
  if (rng.chance(0.05) && (!allowed || allowed.size >= universe)) for (let c = 0; c < universe; c++) out.push(c);
  return out;
}

/** A level range `low[-high]` with low ⊆ high, high within `allowed` (a user's high categories). */
function randomRange(rng: Rng, sens: string, universe: number, allowed?: Set<number>): string {
  const high = randomCats(rng, universe, allowed);
  if (rng.chance(0.5)) return levelText(sens, high);
  const low = high.filter(() => rng.chance(0.4));
  return `${levelText(sens, low)}-${levelText(sens, high)}`;
}

function usersWithRole(facts: PolicyFacts, role: string): string[] {
  return [...facts.users].filter(([, u]) => u.roles.includes(role)).map(([name]) => name);
}

/** A valid subject context for `type`, or an object_r context when no role holds the type. */
function subjectContext(facts: PolicyFacts, rng: Rng, type: string, level: string | ((user: string) => string)): string {
  const roles = (facts.rolesOfType.get(type) ?? []).filter((r) => usersWithRole(facts, r).length > 0);
  if (roles.length === 0) {
    const user = rng.pick([...facts.users.keys()]);
    return `${user}:object_r:${type}:${typeof level === 'string' ? level : level(user)}`;
  }
  const role = rng.pick(roles);
  const user = rng.pick(usersWithRole(facts, role));
  return `${user}:${role}:${type}:${typeof level === 'string' ? level : level(user)}`;
}

// ───────────────────────────── group (a): sVirt ─────────────────────────────

export const CATEGORY_RELATIONS = ['same', 'different', 'overlap', 'subset', 'superset', 'empty', 'full', 'high', 'ranged'] as const;
export type CategoryRelation = (typeof CATEGORY_RELATIONS)[number];

/** Distinct random categories in [0, universe). */
function distinctCats(rng: Rng, universe: number, n: number): number[] {
  const set = new Set<number>();
  while (set.size < n) set.add(rng.int(0, universe - 1));
  return [...set];
}

/**
 * The object's level for a guest at `s0:cA,cB` under a relation:
 * same {A,B}; different {C,D}; overlap {A,D}; subset {A}; superset {A,B,E}; empty `s0`;
 * full `s0-s0:c0.c1023`; high `s0:c0.c1023`; ranged `s0-s0:cA,cB`.
 */
export function relatedLevel(sens: string, universe: number, rel: CategoryRelation, cats: readonly number[]): string {
  const [a, b, c, d, e] = cats as [number, number, number, number, number];
  switch (rel) {
    case 'same':
      return levelText(sens, [a, b]);
    case 'different':
      return levelText(sens, [c, d]);
    case 'overlap':
      return levelText(sens, [a, d]);
    case 'subset':
      return levelText(sens, [a]);
    case 'superset':
      return levelText(sens, [a, b, e]);
    case 'empty':
      return sens;
    case 'full':
      return `${sens}-${sens}:c0.c${universe - 1}`;
    case 'high':
      return `${sens}:c0.c${universe - 1}`;
    case 'ranged':
      return `${sens}-${levelText(sens, [a, b])}`;
  }
}

/** What a guest typically does to its files and processes (weighted into the sVirt group). */
const SVIRT_PERMS = ['read', 'write', 'open', 'getattr', 'append', 'ioctl', 'lock', 'create', 'setattr', 'search', 'add_name', 'signal', 'getsched', 'sigchld', 'fork'];

const SVIRT_TARGETS = ['svirt_image_t', 'virt_image_t', 'virt_content_t', 'svirt_tmp_t', 'user_home_t', 'etc_t', 'null_device_t', 'svirt_t', 'unconfined_t', 'virtd_t'];

function svirtGroup(facts: PolicyFacts, rng: Rng, count: number): string[] {
  const sens = facts.sensitivities[0] ?? 's0';
  const universe = facts.categoryCount || 1024;
  const targets = SVIRT_TARGETS.filter((t) => facts.types.includes(t));
  const classes = SVIRT_CLASSES.filter((c) => facts.classes.has(c));
  if (!facts.types.includes('svirt_t') || targets.length === 0 || classes.length === 0) return [];
  const lines: string[] = [];
  while (lines.length < count) {
    const cats = distinctCats(rng, universe, 5);
    const guest = levelText(sens, [cats[0]!, cats[1]!]);
    const scon = `${rng.chance(0.9) ? 'system_u' : 'unconfined_u'}:system_r:svirt_t:${guest}`;
    for (const rel of CATEGORY_RELATIONS) {
      // half the queries go to the guest's own image type, where MCS decides
      const target = rng.chance(0.5) && targets.includes('svirt_image_t') ? 'svirt_image_t' : rng.pick(targets);
      const tclass = rng.pick(classes);
      const level = relatedLevel(sens, universe, rel, cats);
      const tcon =
        tclass === 'process' && (facts.rolesOfType.get(target)?.length ?? 0) > 0
          ? subjectContext(facts, rng, target, level)
          : `system_u:object_r:${target}:${level}`;
      const all = facts.classes.get(tclass) ?? [];
      const usual = SVIRT_PERMS.filter((p) => all.includes(p));
      const r = rng.next();
      const perms =
        r < 0.2 ? all.slice() : r < 0.45 ? [rng.pick(all)] : r < 0.85 && usual.length > 0 ? rng.sample(usual, rng.int(1, 3)) : rng.sample(all, rng.int(2, 5));
      lines.push(`${scon} ${tcon} ${tclass} ${permText(rng, perms)}`.trimEnd());
    }
  }
  return lines.slice(0, count);
}

// ───────────────────────────── group (b): random valid ─────────────────────────────

function randomValidContext(facts: PolicyFacts, rng: Rng, asObject: boolean): string {
  const sens = facts.sensitivities[0] ?? 's0';
  const universe = facts.categoryCount || 1024;
  const userNames = [...facts.users.keys()];
  if (asObject || rng.chance(0.1)) {
    const user = rng.pick(userNames);
    return `${user}:object_r:${rng.pick(facts.types)}:${randomRange(rng, sens, universe)}`;
  }
  const user = rng.pick(userNames);
  const u = facts.users.get(user)!;
  const roles = u.roles.filter((r) => (facts.roles.get(r)?.length ?? 0) > 0);
  if (roles.length === 0) return `${user}:object_r:${rng.pick(facts.types)}:${randomRange(rng, sens, universe)}`;
  const role = rng.pick(roles);
  const type = rng.pick(facts.roles.get(role)!);
  return `${user}:${role}:${type}:${randomRange(rng, sens, universe, u.highCats)}`;
}

function randomGroup(facts: PolicyFacts, rng: Rng, count: number): string[] {
  const classes = [...facts.classes.keys()].filter((c) => (facts.classes.get(c)?.length ?? 0) > 0);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const scon = randomValidContext(facts, rng, false);
    const tcon = randomValidContext(facts, rng, rng.chance(0.6));
    const tclass = rng.pick(classes);
    const perms = rng.chance(0.08) ? [] : randomPerms(rng, facts.classes.get(tclass)!, 4);
    lines.push(`${scon} ${tcon} ${tclass} ${permText(rng, perms)}`.trimEnd());
  }
  return lines;
}

// ───────────────────────────── group (c): edge cases ─────────────────────────────

/** Invalid-context makers, one per error kind; each may damage a valid context it is given. */
function invalidContexts(facts: PolicyFacts, rng: Rng): Array<(valid: string) => string> {
  const attr = facts.attributes.size > 0 ? rng.pick([...facts.attributes]) : 'nosuch_attr';
  const sens = facts.sensitivities[0] ?? 's0';
  const universe = facts.categoryCount || 1024;
  const head = (v: string, n: number): string => v.split(':').slice(0, n).join(':');
  const tail = (v: string, n: number): string => v.split(':').slice(n).join(':');
  // a (user, role, type) triple that is valid, to damage one authorisation at a time
  const users = [...facts.users];
  const [user, info] = users.find(([, u]) => u.roles.some((r) => (facts.roles.get(r)?.length ?? 0) > 0)) ?? ['nosuch_u', { roles: ['nosuch_r'], highCats: new Set<number>() }];
  const role = info.roles.find((r) => (facts.roles.get(r)?.length ?? 0) > 0) ?? 'nosuch_r';
  const roleTypes = new Set(facts.roles.get(role) ?? []);
  const notInRole = facts.types.find((t) => !roleTypes.has(t)) ?? 'nosuch_t';
  const foreignRole = [...facts.roles.keys()].find((r) => !info.roles.includes(r) && (facts.roles.get(r)?.length ?? 0) > 0);
  const limited = users.find(([, u]) => u.highCats.size === 0 && u.roles.some((r) => (facts.roles.get(r)?.length ?? 0) > 0));
  const makers: Array<(valid: string) => string> = [
    (v) => `:${tail(v, 1)}`, // empty user
    (v) => `${head(v, 1)}::${tail(v, 2)}`, // empty role
    (v) => `${head(v, 2)}::${tail(v, 3)}`, // empty type
    (v) => `nosuch_u:${tail(v, 1)}`, // unknown user
    (v) => `${head(v, 1)}:nosuch_r:${tail(v, 2)}`, // unknown role
    (v) => `${head(v, 2)}:nosuch_t:${tail(v, 3)}`, // unknown type
    (v) => `${head(v, 2)}:${attr}:${tail(v, 3)}`, // attribute as type
    (v) => head(v, 3), // MLS part missing
    (v) => `${head(v, 3)}:`, // empty MLS part
    (v) => `${head(v, 3)}:s99`, // unknown sensitivity
    (v) => `${head(v, 3)}:${sens}:c${universe}`, // category beyond the last
    (v) => `${head(v, 3)}:${sens}:cx1`, // unknown category
    (v) => `${head(v, 3)}:${sens}:c5.c5`, // degenerate range
    (v) => `${head(v, 3)}:${sens}:c7.c2`, // reversed range
    (v) => `${head(v, 3)}:${sens}:c1,`, // trailing comma
    (v) => `${head(v, 3)}:${sens}:`, // empty category list
    (v) => `${head(v, 3)}:${sens}:c1,c2-${sens}:c1`, // high below low
    (v) => `${head(v, 3)}:${sens}--${sens}`, // double dash
    (v) => `${head(v, 3)}:${sens}-`, // empty high
    (v) => `${head(v, 3)}:${sens}:c1:c2`, // extra colon
    () => `${user}:${role}:${notInRole}:${sens}`, // role not authorised for the type
    (v) => v.toUpperCase(), // names are case-sensitive
  ];
  if (foreignRole) makers.push(() => `${user}:${foreignRole}:${facts.roles.get(foreignRole)![0]}:${sens}`); // user not authorised for the role
  if (limited) {
    const lrole = limited[1].roles.find((r) => (facts.roles.get(r)?.length ?? 0) > 0)!;
    makers.push(() => `${limited[0]}:${lrole}:${facts.roles.get(lrole)![0]}:${sens}:c3`); // range outside the user's
  }
  return makers;
}

function edgeGroup(facts: PolicyFacts, rng: Rng, count: number): string[] {
  const sens = facts.sensitivities[0] ?? 's0';
  const universe = facts.categoryCount || 1024;
  const classNames = [...facts.classes.keys()].filter((c) => (facts.classes.get(c)?.length ?? 0) > 0);
  const bad = invalidContexts(facts, rng);
  const aliases = [...facts.typeAliases];
  const lines: string[] = [];
  const valid = (): string => randomValidContext(facts, rng, false);
  const validObj = (): string => randomValidContext(facts, rng, true);
  const someClass = (): [string, string[]] => {
    const c = rng.pick(classNames);
    return [c, randomPerms(rng, facts.classes.get(c)!, 3)];
  };
  const oddLevels = (): string => {
    const a = rng.int(0, 20);
    const b = a + rng.int(1, 5);
    const c = rng.int(0, 30);
    return rng.pick([
      `${sens}-${sens}:c0.c${universe - 1}`,
      `${sens}:c0.c${universe - 1}`,
      `${sens}:c0.c${universe - 1}-${sens}:c0.c${universe - 1}`,
      `${sens}-${sens}`,
      `${sens}:c${b},c${a},c${c}`, // out of order
      `${sens}:c${a},c${a}`, // duplicate
      `${sens}:c${b}.c${b + 3},c${a}`, // range then single, out of order
      `${sens}:c${a}.c${a + 1}`, // two-element dot range
      `${sens}:c${a},c${a + 1},c${a + 2}`, // would print as a dot range
      `${sens}:c${c},c${a}.c${b}-${sens}:c0.c${universe - 1}`,
    ]);
  };
  while (lines.length < count) {
    const kind = rng.int(0, 12);
    const [tclass, perms] = someClass();
    switch (kind) {
      case 0:
      case 1: {
        // bad source (and sometimes a bad target too: BADSCON wins)
        const s = rng.pick(bad)(valid());
        const t = rng.chance(0.2) ? rng.pick(bad)(validObj()) : validObj();
        if (s.length > 0 && !/\s/.test(s)) lines.push(`${s} ${t} ${tclass} ${permText(rng, perms)}`.trimEnd());
        break;
      }
      case 2:
      case 3: {
        const t = rng.pick(bad)(validObj());
        if (t.length > 0 && !/\s/.test(t)) lines.push(`${valid()} ${t} ${tclass} ${permText(rng, perms)}`.trimEnd());
        break;
      }
      case 4: {
        // unknown class, or a case-mangled one
        const c = rng.pick(['nosuchclass', tclass.toUpperCase(), `${tclass}_x`, '*', '{file}']);
        lines.push(`${valid()} ${validObj()} ${c} ${permText(rng, perms)}`.trimEnd());
        break;
      }
      case 5: {
        // unknown permission, or a permission of another class
        const other = rng.pick(classNames);
        const foreign = (facts.classes.get(other) ?? []).filter((p) => !(facts.classes.get(tclass) ?? []).includes(p));
        const badPerm = foreign.length > 0 && rng.chance(0.5) ? rng.pick(foreign) : rng.pick(['nosuchperm', 'READ', '0x1', '*']);
        lines.push(`${valid()} ${validObj()} ${tclass} ${[...perms, badPerm].join(' ')}`);
        break;
      }
      case 6: {
        // type aliases, as source and target
        if (aliases.length === 0) break;
        const [alias, primary] = rng.pick(aliases);
        const asSubject = subjectContext(facts, rng, primary, `${sens}-${sens}:c0.c${universe - 1}`).replace(`:${primary}:`, `:${alias}:`);
        const asObject = `system_u:object_r:${alias}:${oddLevels()}`;
        lines.push(rng.chance(0.5) ? `${asSubject} ${validObj()} ${tclass} ${permText(rng, perms)}`.trimEnd() : `${valid()} ${asObject} ${tclass} ${permText(rng, perms)}`.trimEnd());
        break;
      }
      case 7:
      case 8: {
        // odd but valid level spellings, both sides
        const s = valid().replace(/:[^:]*(:[^:]*)?$/, '');
        const sUser = s.split(':')[0]!;
        const sLevel = (facts.users.get(sUser)?.highCats.size ?? 0) >= universe || s.split(':')[1] === 'object_r' ? oddLevels() : sens;
        lines.push(`${s}:${sLevel} system_u:object_r:${rng.pick(facts.types)}:${oddLevels()} ${tclass} ${permText(rng, perms)}`.trimEnd());
        break;
      }
      case 9: {
        // MALFORMED shapes
        const v = valid();
        lines.push(
          rng.pick([
            v,
            `${v} ${validObj()}`,
            `${v} ${validObj()} ${tclass} { ${perms.join(' ')}`,
            `${v} ${validObj()} ${tclass} ${perms.join(' ')} }`,
            `${v} ${validObj()} ${tclass} {}`,
            `${v} ${validObj()} ${tclass} { {${perms[0] ?? 'read'}} }`,
            `${v} ${validObj()} ${tclass} ${perms[0] ?? 'read'}{`,
          ]),
        );
        break;
      }
      case 10: {
        // permission syntax variants, duplicates, comments, blank lines, tabs
        const p = perms.length > 0 ? perms : ['x'];
        lines.push(
          rng.pick([
            `${valid()} ${validObj()} ${tclass} ${p.join(', ')}`,
            `${valid()}\t${validObj()}\t${tclass}\t{${p.join(',')}}`,
            `${valid()} ${validObj()} ${tclass} ${p.join(' ')} ${p[0]}`,
            `  ${valid()}   ${validObj()}  ${tclass}   ${p.join('  ')}   # trailing comment`,
            `# a comment line`,
            ``,
            `${valid()} ${validObj()} ${tclass}`,
          ]),
        );
        break;
      }
      case 11: {
        // process transitions TE allows, with the target in another role: RBAC (role allow) decides
        if (facts.transitionRules.length === 0) break;
        const rule = rng.pick(facts.transitionRules);
        const st = concreteType(facts, rng, rule.source);
        const tt = concreteType(facts, rng, rule.target);
        if (!st || !tt) break;
        const full = `${sens}-${sens}:c0.c${universe - 1}`;
        const level = (user: string): string => (facts.users.get(user)!.highCats.size >= universe ? full : sens);
        lines.push(`${subjectContext(facts, rng, st, level)} ${subjectContext(facts, rng, tt, level)} process ${rng.chance(0.7) ? 'transition' : 'transition dyntransition'}`);
        break;
      }
      default: {
        // same context both sides (self access), random perms
        const v = valid();
        lines.push(`${v} ${v} ${tclass} ${permText(rng, perms)}`.trimEnd());
      }
    }
  }
  return lines;
}

// ───────────────────────────── group (d): booleans ─────────────────────────────

function concreteType(facts: PolicyFacts, rng: Rng, name: string): string | undefined {
  if (facts.attributes.has(name)) {
    const members = facts.attrMembers.get(name) ?? [];
    return members.length > 0 ? rng.pick(members) : undefined;
  }
  return facts.typeAliases.get(name) ?? name;
}

function boolQueries(facts: PolicyFacts, rng: Rng, count: number): string[] {
  const sens = facts.sensitivities[0] ?? 's0';
  const universe = facts.categoryCount || 1024;
  const full = `${sens}-${sens}:c0.c${universe - 1}`;
  const lines: string[] = [];
  if (facts.condRules.length === 0) return lines;
  let guard = 0;
  while (lines.length < count && guard++ < count * 20) {
    const rule = rng.pick(facts.condRules);
    if (!facts.classes.has(rule.tclass)) continue;
    const s = concreteType(facts, rng, rule.source);
    const t = rule.target === rule.source && rng.chance(0.5) ? s : concreteType(facts, rng, rule.target);
    if (!s || !t) continue;
    const scon = subjectContext(facts, rng, s, (user) => (facts.users.get(user)!.highCats.size >= universe ? full : sens));
    const tcon = rule.tclass === 'process' && t === s ? scon : `system_u:object_r:${t}:${rng.chance(0.8) ? sens : full}`;
    const classPerms = facts.classes.get(rule.tclass)!;
    const perms = rng.sample(rule.perms, rng.int(1, 3));
    if (rng.chance(0.3)) perms.push(rng.pick(classPerms));
    lines.push(`${scon} ${tcon} ${rule.tclass} ${permText(rng, perms)}`);
  }
  return lines;
}

// ───────────────────────────── embedded policy vs Debian ─────────────────────────────

/**
 * Every (source type, target type, class) of a small policy (the embedded svirt.conf), at every
 * category relation: the source holds a random pair {A,B} (or system low/high for a share of the
 * unconstrained sources), the target a level related to it. Per triple and relation two queries:
 * all permissions of the class, and one random permission. Contexts use users/roles valid in the
 * small policy, which must also be valid in the big one (the embedded policy is a subset).
 */
export function pairwiseQueries(facts: PolicyFacts, seed: number, classes: readonly string[] = SVIRT_CLASSES): string[] {
  const rng = new Rng(seed);
  const sens = facts.sensitivities[0] ?? 's0';
  const universe = facts.categoryCount || 1024;
  const lines: string[] = [];
  const context = (type: string, level: string): string => {
    const roles = (facts.rolesOfType.get(type) ?? []).filter((r) => usersWithRole(facts, r).length > 0);
    if (roles.length === 0 || rng.chance(0.15)) return `${rng.pick([...facts.users.keys()])}:object_r:${type}:${level}`;
    const role = rng.pick(roles);
    return `${rng.pick(usersWithRole(facts, role))}:${role}:${type}:${level}`;
  };
  for (const s of facts.types) {
    for (const t of facts.types) {
      for (const tclass of classes) {
        const all = facts.classes.get(tclass);
        if (!all || all.length === 0) continue;
        for (const rel of CATEGORY_RELATIONS) {
          const cats = distinctCats(rng, universe, 5);
          const r = rng.next();
          const slevel = r < 0.7 ? levelText(sens, [cats[0]!, cats[1]!]) : r < 0.85 ? `${sens}-${sens}:c0.c${universe - 1}` : sens;
          const scon = context(s, slevel);
          const tcon = context(t, relatedLevel(sens, universe, rel, cats));
          lines.push(`${scon} ${tcon} ${tclass} ${all.join(' ')}`);
          lines.push(`${scon} ${tcon} ${tclass} ${rng.pick(all)}`);
        }
      }
    }
  }
  return lines;
}

// ───────────────────────────── the whole suite ─────────────────────────────

export interface GenerateOptions {
  seed?: number;
  /** multiplies every group size (1 = ≥ 100,000 queries) */
  scale?: number;
  /** random boolean settings besides the defaults (group bool) */
  boolSettings?: number;
}

export const GROUP_SIZES: Record<GroupName, number> = { svirt: 36_000, random: 40_000, edge: 12_000, bool: 4_000 };

/** Every run of the suite for one policy text. Deterministic for a given text and seed. */
export function generateQueries(policyText: string, options: GenerateOptions = {}): QueryRun[] {
  const facts = extractFacts(policyText);
  const seed = options.seed ?? 20240601;
  const scale = options.scale ?? 1;
  const size = (g: GroupName): number => Math.max(1, Math.round(GROUP_SIZES[g] * scale));
  const runs: QueryRun[] = [
    { group: 'svirt', label: 'svirt', bools: {}, lines: svirtGroup(facts, new Rng(seed ^ 0x5a17), size('svirt')) },
    { group: 'random', label: 'random', bools: {}, lines: randomGroup(facts, new Rng(seed ^ 0x7a2d), size('random')) },
    { group: 'edge', label: 'edge', bools: {}, lines: edgeGroup(facts, new Rng(seed ^ 0x3e61), size('edge')) },
  ];
  const boolRng = new Rng(seed ^ 0x600d);
  const settings = options.boolSettings ?? 4;
  const names = [...facts.bools.keys()];
  for (let k = 0; k <= settings; k++) {
    const bools: Record<string, boolean> = {};
    if (k > 0) for (const name of names) if (boolRng.chance(0.5)) bools[name] = !facts.bools.get(name);
    runs.push({ group: 'bool', label: k === 0 ? 'bool-defaults' : `bool-random-${k}`, bools, lines: boolQueries(facts, boolRng, size('bool')) });
  }
  return runs;
}

/** Query lines per group (comment and blank lines excluded). */
export function countByGroup(runs: readonly QueryRun[]): Record<GroupName, number> {
  const counts: Record<GroupName, number> = { svirt: 0, random: 0, edge: 0, bool: 0 };
  for (const run of runs) counts[run.group] += run.lines.filter((l) => l.replace(/#.*/, '').trim() !== '').length;
  return counts;
}

/** The harness's `--bool` arguments for a run. */
export function boolArgs(bools: Record<string, boolean>): string[] {
  return Object.entries(bools).flatMap(([name, value]) => ['--bool', `${name}=${value ? 1 : 0}`]);
}

function main(argv: string[]): void {
  const file = argv.find((a) => !a.startsWith('--'));
  const opt = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (!file) {
    console.error('usage: generator.ts POLICY.conf [--seed N] [--scale X] [--out DIR]');
    process.exit(2);
  }
  const runs = generateQueries(readFileSync(file, 'utf8'), { seed: Number(opt('--seed') ?? 20240601), scale: Number(opt('--scale') ?? 1) });
  const out = opt('--out');
  if (out) {
    mkdirSync(out, { recursive: true });
    for (const run of runs) {
      writeFileSync(join(out, `${run.label}.txt`), `${run.lines.join('\n')}\n`);
      writeFileSync(join(out, `${run.label}.bools`), `${boolArgs(run.bools).join(' ')}\n`);
    }
  }
  const counts = countByGroup(runs);
  for (const [group, n] of Object.entries(counts)) console.log(`${group}\t${n}`);
  console.log(`total\t${Object.values(counts).reduce((a, b) => a + b, 0)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
