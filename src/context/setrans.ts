/**
 * mcstrans-compatible label translation: `setrans.conf` → two-way tables between raw MLS/MCS ranges
 * (`s0:c0`) and human names (`CompanyConfidential`).
 *
 * Semantics follow SELinuxProject/selinux `mcstrans/src/mcstrans.c` (see
 * docs/translation.md), re-implemented here:
 * - line grammar of `process_trans`: `#` comments, the first of `=`, `!`, `>` splits a line, both sides
 *   trimmed and non-empty; keywords `Domain`, `Include`, `Base`, `ModifierGroup`, and inside a group
 *   `Whitespace`, `Join`, `Prefix`, `Suffix`, `Default`; other lines are translations (outside a group)
 *   or words (inside a group); `!`/`>` lines are constraints;
 * - raw → human (`trans_context`): per domain in file order, exact lookup, else for a range each half
 *   separately (an untranslatable half stays raw; equal halves collapse), else a computed translation
 *   from base classifications + modifier words; nothing matched → the raw range unchanged;
 * - human → raw (`untrans_context`): exact reverse lookup, else halves, else a computed match;
 * - aliases: for the same raw range the FIRST line wins for display, every alias maps back to raw.
 *
 * Deliberate differences from mcstrans, all fail-loud or canonicalising:
 * - raw keys are validated (errors carry file:line:col) and stored in kernel-canonical form
 *   (`s0:c0,c1,c2` → `s0:c0.c2`), so a key matches the kernel's own spelling; raw lookups canonicalise too;
 * - category numbers must be < 1024 (mcstrans accepts 1024 by an off-by-one);
 * - words, prefixes and suffixes are matched as literal text (mcstrans pastes them into a PCRE);
 * - `Include=` patterns are resolved relative to the including file; a pattern without wildcards that
 *   names no file is an error (mcstrans's glob silently skips it); wildcards only in the last component.
 */
import { readdirSync, realpathSync } from 'node:fs';
import { readTextInput } from '../io/input.js';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { CategorySet, MAX_CATEGORIES, formatCategories } from './categories.js';
import { SvirtError, quoteInput, setransError } from '../errors.js';

/** mcstrans: `Include=` nesting depth limit */
export const MAX_INCLUDE_DEPTH = 32;
/**
 * What one setrans.conf may read, all its `Include=` files together (docs/limits.md). mcstrans has
 * no such budget; without one, ten files each including the next ten levels down read 10^10 files.
 * Each file is also capped alone by INPUT_LIMITS.setrans (src/io/input.ts).
 */
export interface SetransLimits {
  /** files read, the top file included */
  readonly files: number;
  /** bytes of text read across all files */
  readonly bytes: number;
  /** translation lines (`raw=name`) across all domains and files */
  readonly entries: number;
}

export const SETRANS_LIMITS: SetransLimits = { files: 1024, bytes: 16 * 1024 * 1024, entries: 262_144 };

/** mcstrans: computed raw → human stops after this many word-selection rounds */
const MAX_ROUNDS = 50;
/** mcstrans: at most 65,536 exact entries per domain (hash table capacity) */
export const MAX_ENTRIES_PER_DOMAIN = 65536;

/** A parsed MLS level as mcstrans sees it: sensitivity number + category bits. */
export interface RawLevel {
  readonly sens: number;
  readonly cats: CategorySet;
}

interface Word {
  readonly text: string;
  /** categories the word stands for, after applying `~` against the group's Default */
  readonly cat: CategorySet;
  /** cat \ Default: bits the word sets */
  readonly normal: CategorySet;
  /** Default \ cat: bits the word clears ("inverse" bits) */
  readonly inverse: CategorySet;
}

interface ModifierGroup {
  readonly name: string;
  whitespace: string;
  join: string;
  readonly prefixes: string[];
  readonly suffixes: string[];
  readonly words: Word[];
  def: CategorySet;
}

interface BaseClassification {
  readonly trans: string;
  readonly level: RawLevel;
}

interface Domain {
  readonly name: string;
  /** raw (canonical) → human; first entry wins */
  readonly rawToTrans: Map<string, string>;
  /** human → raw (canonical); first entry wins */
  readonly transToRaw: Map<string, string>;
  readonly bases: BaseClassification[];
  readonly groups: ModifierGroup[];
  entries: number;
}

interface Constraint {
  readonly op: '!' | '>';
  /** sensitivity-scoped constraint (`s1!c5`) when defined */
  readonly sens?: number;
  /** for category constraints: the bits that trigger the rule */
  readonly mask: CategorySet;
  /** the bits the rule forbids (`!`) or requires all of (`>`) */
  readonly cat: CategorySet;
}

export interface SetransOptions {
  /** reads a file (Include); default fs.readFileSync(path, 'utf8') */
  readFile?: (path: string) => string;
  /** lists the entries of a directory (Include wildcards); default fs.readdirSync */
  listDir?: (dir: string) => string[];
  /** a smaller budget than SETRANS_LIMITS (tests) */
  limits?: Partial<SetransLimits>;
}

/**
 * The parsed translation tables. Translation methods never throw: anything that cannot be translated
 * is returned unchanged (libselinux does the same when mcstransd cannot translate).
 */
export class SetransTable {
  /** @internal */
  constructor(
    private readonly domains: readonly Domain[],
    private readonly constraints: readonly Constraint[],
  ) {}

  /** Number of domains (an implicit `Default` domain counts). */
  get domainCount(): number {
    return this.domains.length;
  }

  /** Raw → human for a whole context `user:role:type:range`, or for a bare range. */
  toHuman(context: string): string {
    return mapRangeOfContext(context, (range) => this.rangeToHuman(range));
  }

  /** Human → raw for a whole context, or for a bare range / name. */
  toRaw(context: string): string {
    return mapRangeOfContext(context, (range) => this.rangeToRaw(range));
  }

  /** Raw → human for a range `low[-high]` (K canonical or not). */
  rangeToHuman(range: string): string {
    const key = canonicalRange(range) ?? range;
    for (const domain of this.domains) {
      const exact = domain.rawToTrans.get(key);
      if (exact !== undefined) return exact;
      const dash = key.indexOf('-');
      if (dash < 0) {
        const computed = this.computeHuman(key, domain);
        if (computed !== undefined) {
          addEntry(domain, key, computed);
          return computed;
        }
        continue;
      }
      const halves = [key.slice(0, dash), key.slice(dash + 1)].map((half) => {
        const hit = domain.rawToTrans.get(half);
        if (hit !== undefined) return hit;
        const computed = this.computeHuman(half, domain);
        if (computed === undefined) return half;
        addEntry(domain, half, computed);
        return computed;
      });
      const [low, high] = halves as [string, string];
      return low === high ? low : `${low}-${high}`;
    }
    return key;
  }

  /** Human → raw for a range written `Low[-High]` or one name. */
  rangeToRaw(range: string): string {
    for (const domain of this.domains) {
      const exact = domain.transToRaw.get(range);
      if (exact !== undefined) return exact;
      const dash = range.indexOf('-');
      if (dash < 0) {
        const raw = this.computeRaw(range, domain);
        if (raw !== undefined) {
          this.cacheComputedRaw(domain, raw, range);
          return raw;
        }
        continue;
      }
      const halves = [range.slice(0, dash), range.slice(dash + 1)].map((half) => {
        const hit = domain.transToRaw.get(half);
        if (hit !== undefined) return hit;
        const raw = this.computeRaw(half, domain);
        if (raw === undefined) return canonicalRange(half) ?? half;
        this.cacheComputedRaw(domain, raw, half);
        return raw;
      });
      const [low, high] = halves as [string, string];
      return low === high ? low : `${low}-${high}`;
    }
    return canonicalRange(range) ?? range;
  }

  /** mcstrans caches the canonical translation first, then the spelling the user typed. */
  private cacheComputedRaw(domain: Domain, raw: string, human: string): void {
    if (!domain.rawToTrans.has(raw)) {
      const canonical = this.computeHuman(raw, domain);
      if (canonical !== undefined && canonical !== human) addEntry(domain, raw, canonical);
    }
    addEntry(domain, raw, human);
  }

  /** true when a computed level breaks a `!`/`>` constraint (mcstrans `violates_constraints`). */
  violatesConstraints(level: RawLevel): boolean {
    for (const c of this.constraints) {
      if (c.sens !== undefined) {
        if (c.sens === level.sens && !c.cat.intersect(level.cats).isEmpty()) return true;
        continue;
      }
      if (c.mask.intersect(level.cats).isEmpty()) continue;
      const common = c.cat.intersect(level.cats).size;
      if ((c.op === '!' && common > 0) || (c.op === '>' && common !== c.cat.size)) return true;
    }
    return false;
  }

  /**
   * Computed raw → human (mcstrans `compute_trans_from_raw`): for each base classification at the
   * level's sensitivity, greedily pick modifier words by minimum Hamming distance until every bit
   * that differs from the base is consumed (at most 50 rounds). Undefined when not fully covered.
   */
  private computeHuman(raw: string, domain: Domain): string | undefined {
    if (domain.bases.length === 0) return undefined;
    const level = parseRawLevel(raw);
    if (level === undefined || this.violatesConstraints(level)) return undefined;
    // mcstrans: words that set bits are only used above s0 ("doInverse")
    const doInverse = level.sens > 0;
    let last: BaseClassification | undefined;
    for (const bc of domain.bases) {
      if (bc.level.sens !== level.sens) continue;
      // an alias of the previous base classification adds nothing
      if (last !== undefined && last.level.sens === bc.level.sens && last.level.cats.equals(bc.level.cats)) continue;
      last = bc;
      const orig = xor(level.cats, bc.level.cats);
      let unhandled = orig.clone();
      const chosen = new Map<ModifierGroup, string[]>();
      for (let round = 0; round < MAX_ROUNDS && !unhandled.isEmpty(); round++) {
        const notHandled = complement(xor(unhandled, orig));
        let best: { group: ModifierGroup; word: Word } | undefined;
        let bestDistance = Number.POSITIVE_INFINITY;
        for (const group of domain.groups) {
          for (const word of group.words) {
            if (!word.normal.isEmpty() && !doInverse) continue;
            const bits = word.normal.union(word.inverse).intersect(notHandled);
            if (!unhandled.contains(bits)) continue;
            const distance = xor(bits, unhandled).size;
            if (distance < bestDistance) {
              bestDistance = distance;
              best = { group, word };
            }
            if (bestDistance === 0) break;
          }
          if (bestDistance === 0) break;
        }
        if (best === undefined) break;
        unhandled = andNot(unhandled, xor(best.word.cat, bc.level.cats));
        const list = chosen.get(best.group) ?? [];
        list.push(best.word.text);
        chosen.set(best.group, list);
      }
      if (!unhandled.isEmpty()) continue;
      const parts: string[] = [];
      for (const group of domain.groups) {
        const words = chosen.get(group);
        if (words === undefined) continue;
        let text = words.join(group.join);
        if (group.prefixes[0] !== undefined) text = `${group.prefixes[0]} ${text}`;
        if (group.suffixes[0] !== undefined) text = `${text} ${group.suffixes[0]}`;
        parts.push(text);
      }
      return parts.length === 0 ? bc.trans : `${bc.trans} ${parts.join(' ')}`;
    }
    return undefined;
  }

  /**
   * Computed human → raw (mcstrans `compute_raw_from_trans`): a base classification must start the
   * text (longest first); then each modifier group consumes `[Prefix] words [Suffix]`; the result is
   * complete only when no letter or digit is left unconsumed and no constraint is violated.
   */
  private computeRaw(human: string, domain: Domain): string | undefined {
    if (domain.bases.length === 0) return undefined;
    const byLength = [...domain.bases].sort((a, b) => b.trans.length - a.trans.length);
    const base = byLength.find((bc) => human.toLowerCase().startsWith(bc.trans.toLowerCase()));
    // mcstrans matches the base case-insensitively but then compares with strcmp
    if (base === undefined || !human.startsWith(base.trans)) return undefined;
    const work = human.split('');
    let i = 0;
    for (; i < base.trans.length; i++) work[i] = '#';
    while (i < work.length && (work[i] === ' ' || work[i] === '\t')) work[i++] = '#';
    const cats = base.level.cats.clone();
    const complete = (): boolean => !work.some((ch) => /[A-Za-z0-9]/.test(ch));
    let changed = true;
    let done = complete();
    while (changed && !done) {
      changed = false;
      for (const group of domain.groups) {
        const text = work.join('');
        const prefix = findAffix(text, group.prefixes, 'prefix');
        const suffix = findAffix(text, group.suffixes, 'suffix');
        const usable =
          (group.prefixes.length === 0 && group.suffixes.length === 0) ||
          (group.prefixes.length > 0 && prefix !== undefined) ||
          (group.suffixes.length > 0 && suffix !== undefined);
        if (usable) {
          const start = prefix === undefined ? 0 : prefix.start + prefix.length;
          const end = suffix === undefined || suffix.length === 0 ? text.length : suffix.start;
          if (end >= start) {
            const span = matchWords(text.slice(start, end), group);
            if (span !== undefined) {
              const consumed = consumeWords(span.text, group, cats);
              if (consumed > 0) changed = true;
              if (span.text.trim() !== '') {
                if (prefix !== undefined) blank(work, prefix.start, prefix.length);
                if (suffix !== undefined) blank(work, suffix.start, suffix.length);
                blank(work, start + span.start, span.length);
              }
            }
          }
        }
        done = complete();
        if (changed || done) break;
      }
    }
    const level: RawLevel = { sens: base.level.sens, cats };
    if (!done || this.violatesConstraints(level)) return undefined;
    return formatRawLevel(level);
  }
}

// ---------------------------------------------------------------------------------------------
// parsing

interface ParseState {
  domains: Domain[];
  constraints: Constraint[];
  domain?: Domain;
  group?: ModifierGroup;
  base: boolean;
  readFile: (path: string) => string;
  listDir: (dir: string) => string[];
  readonly limits: SetransLimits;
  /** what has been read so far, checked against `limits` */
  readonly used: { files: number; bytes: number; entries: number };
  /** identities (real paths) of the files being parsed, outermost first: an Include of one is a cycle */
  readonly ancestors: string[];
}

/** Parse setrans.conf text. `file` names it in errors and anchors relative `Include=` patterns. */
export function parseSetrans(text: string, file = 'setrans.conf', options: SetransOptions = {}): SetransTable {
  const state: ParseState = {
    domains: [],
    constraints: [],
    base: false,
    readFile: options.readFile ?? ((p) => readTextInput(p, 'setrans', 'setrans.conf')),
    listDir: options.listDir ?? ((d) => readdirSync(d)),
    limits: { ...SETRANS_LIMITS, ...options.limits },
    used: { files: 0, bytes: 0, entries: 0 },
    ancestors: [],
  };
  chargeFile(state, text, file, (message) => {
    throw setransError(file, 0, 0, message);
  });
  state.ancestors.push(fileIdentity(file));
  parseInto(state, text, file, 0);
  return new SetransTable(state.domains, state.constraints);
}

/** Read and parse a setrans.conf file (Include= patterns resolved relative to it). */
export function loadSetransFile(path: string, options: SetransOptions = {}): SetransTable {
  const read = options.readFile ?? ((p: string) => readTextInput(p, 'setrans', 'setrans.conf'));
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    // E_IO / E_LIMIT from src/io/input.ts already name the file and say why
    if (err instanceof SvirtError) throw err;
    throw setransError(path, 0, 0, `cannot read: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseSetrans(text, path, options);
}

const GROUP_KEYWORDS = new Set(['Whitespace', 'Join', 'Prefix', 'Suffix', 'Default']);

function parseInto(state: ParseState, text: string, file: string, depth: number): void {
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const original = lines[n]!;
    const fail = (column: number, message: string): never => {
      throw setransError(file, lineNo, column, message);
    };
    // strip comment, leading spaces/tabs, trailing whitespace (mcstrans process_trans)
    const hash = original.indexOf('#');
    const uncommented = hash >= 0 ? original.slice(0, hash) : original;
    const lead = uncommented.length - uncommented.replace(/^[\t ]+/, '').length;
    const body = uncommented.slice(lead).replace(/[\t \r\n]+$/, '');
    if (body === '') continue;
    const delimAt = body.search(/[=!>]/);
    if (delimAt < 0) fail(lead + 1, 'invalid line (no !, = or >)');
    const op = body[delimAt] as '=' | '!' | '>';
    const left = body.slice(0, delimAt).replace(/[\t ]+$/, '');
    const rightRaw = body.slice(delimAt + 1);
    const rightLead = rightRaw.length - rightRaw.replace(/^[\t ]+/, '').length;
    const right = rightRaw.slice(rightLead);
    const leftCol = lead + 1;
    const rightCol = lead + delimAt + 2 + rightLead;
    if (left === '') fail(leftCol, `invalid line: nothing before ${quoteInput(op)}`);
    if (right === '') fail(lead + delimAt + 1, `invalid line: nothing after ${quoteInput(op)}`);

    if (op !== '=') {
      state.constraints.push(parseConstraint(op, left, right, leftCol, rightCol, fail));
      continue;
    }
    if (left === 'Domain') {
      state.domain = newDomain(state, right);
      state.group = undefined;
      continue;
    }
    if (state.domain === undefined) {
      state.domain = newDomain(state, 'Default');
      state.group = undefined;
    }
    const domain = state.domain;
    if (state.group === undefined && GROUP_KEYWORDS.has(left)) fail(leftCol, `expected ModifierGroup declaration before ${left}=`);
    const group = state.group;
    switch (left) {
      case 'Include':
        includeFiles(state, right, file, depth, rightCol, fail);
        break;
      case 'Base':
        state.base = true;
        break;
      case 'ModifierGroup': {
        const g: ModifierGroup = { name: right, whitespace: ' ', join: ' ', prefixes: [], suffixes: [], words: [], def: new CategorySet() };
        domain.groups.push(g);
        state.group = g;
        state.base = false;
        break;
      }
      case 'Whitespace':
        group!.whitespace = right;
        break;
      case 'Join':
        group!.join = right;
        break;
      case 'Prefix':
        group!.prefixes.push(right);
        break;
      case 'Suffix':
        group!.suffixes.push(right);
        break;
      case 'Default': {
        const def = parseCategoryList(right, true, new CategorySet());
        if (typeof def === 'string') fail(rightCol, `unable to parse Default: ${def}`);
        group!.def = def as CategorySet;
        break;
      }
      default:
        if (group !== undefined) {
          if (right.includes('-')) fail(rightCol + right.indexOf('-'), `${quoteInput(right)} is invalid because '-' is illegal in modifiers`);
          const cat = parseCategoryList(left, true, group.def);
          if (typeof cat === 'string') fail(leftCol, `syntax error in word categories ${quoteInput(left)}: ${cat}`);
          const c = cat as CategorySet;
          group.words.push({ text: right, cat: c, normal: andNot(c, group.def), inverse: andNot(group.def, c) });
        } else {
          const raw = canonicalRangeOrError(left);
          if (raw.error !== undefined) fail(leftCol + raw.offset, `invalid raw level or range ${quoteInput(left)}: ${raw.error}`);
          if (state.base) {
            const level = parseRawLevel(raw.value!);
            if (level === undefined) fail(leftCol, `base classification ${quoteInput(left)} must be a single level, not a range`);
            domain.bases.push({ trans: right, level: level! });
          }
          if (++state.used.entries > state.limits.entries) fail(leftCol, `more than ${state.limits.entries} translations in all files together (docs/limits.md)`);
          if (domain.entries >= MAX_ENTRIES_PER_DOMAIN) fail(leftCol, `more than ${MAX_ENTRIES_PER_DOMAIN} translations in domain ${quoteInput(domain.name)}`);
          addEntry(domain, raw.value!, right);
        }
    }
  }
}

function newDomain(state: ParseState, name: string): Domain {
  const d: Domain = { name, rawToTrans: new Map(), transToRaw: new Map(), bases: [], groups: [], entries: 0 };
  state.domains.push(d);
  return d;
}

function addEntry(domain: Domain, raw: string, trans: string): void {
  domain.entries++;
  if (!domain.rawToTrans.has(raw)) domain.rawToTrans.set(raw, trans);
  if (!domain.transToRaw.has(trans)) domain.transToRaw.set(trans, raw);
}

function parseConstraint(
  op: '!' | '>',
  left: string,
  right: string,
  leftCol: number,
  rightCol: number,
  fail: (column: number, message: string) => never,
): Constraint {
  const cat = parseCategoryList(right, false, new CategorySet());
  if (typeof cat === 'string') fail(rightCol, `unable to parse constraint categories ${quoteInput(right)}: ${cat}`);
  if (left.startsWith('s')) {
    const m = /^s(\d+)$/.exec(left);
    if (m === null) fail(leftCol, `unable to parse constraint sensitivity ${quoteInput(left)}`);
    return { op, sens: Number(m![1]), mask: new CategorySet(), cat: cat as CategorySet };
  }
  if (left.startsWith('c')) {
    const mask = parseCategoryList(left, false, new CategorySet());
    if (typeof mask === 'string') fail(leftCol, `unable to parse constraint mask ${quoteInput(left)}: ${mask}`);
    return { op, mask: mask as CategorySet, cat: cat as CategorySet };
  }
  return fail(leftCol, `a constraint starts with a sensitivity (sN) or a category (cN), not ${quoteInput(left)}`);
}

function includeFiles(
  state: ParseState,
  pattern: string,
  from: string,
  depth: number,
  column: number,
  fail: (column: number, message: string) => never,
): void {
  if (depth + 1 > MAX_INCLUDE_DEPTH) fail(column, `Include nested more than ${MAX_INCLUDE_DEPTH} levels deep`);
  const full = isAbsolute(pattern) ? pattern : resolve(dirname(from), pattern);
  const dir = dirname(full);
  const last = basename(full);
  if (/[*?[]/.test(dir)) fail(column, `Include: wildcards are supported in the last path component only (${quoteInput(pattern)})`);
  let files: string[];
  if (/[*?[]/.test(last)) {
    const re = globToRegExp(last);
    let entries: string[];
    try {
      entries = state.listDir(dir);
    } catch {
      entries = []; // glob(3): an unreadable directory matches nothing
    }
    files = entries
      .filter((e) => re.test(e) && !(e.startsWith('.') && !last.startsWith('.')))
      .sort()
      .map((e) => join(dir, e));
  } else {
    files = [full];
  }
  for (const f of files) {
    const identity = fileIdentity(f);
    const seen = state.ancestors.indexOf(identity);
    if (seen >= 0) {
      const chain = [...state.ancestors.slice(seen), identity].map((a) => quoteInput(basename(a), 40)).join(' → ');
      fail(column, `Include cycle: ${chain} (${quoteInput(f)} is already being read)`);
    }
    if (state.used.files + 1 > state.limits.files) fail(column, `Include=${quoteInput(pattern)}: more than ${state.limits.files} files read in all (docs/limits.md)`);
    let text: string;
    try {
      text = state.readFile(f);
    } catch (err) {
      return fail(column, `Include=${quoteInput(pattern)}: cannot read ${quoteInput(f)}: ${err instanceof Error ? err.message : String(err)}`);
    }
    chargeFile(state, text, f, (message) => fail(column, `Include=${quoteInput(pattern)}: ${message}`));
    state.ancestors.push(identity);
    parseInto(state, text, f, depth + 1);
    state.ancestors.pop();
  }
}

/** Count one file read against the budget (files, bytes); `fail` when it is spent. */
function chargeFile(state: ParseState, text: string, file: string, fail: (message: string) => never): void {
  state.used.files++;
  state.used.bytes += Buffer.byteLength(text, 'utf8');
  if (state.used.files > state.limits.files) fail(`more than ${state.limits.files} files read in all (docs/limits.md)`);
  if (state.used.bytes > state.limits.bytes) fail(`${quoteInput(file)} brings the text read past ${state.limits.bytes} bytes in all (docs/limits.md)`);
}

/** The identity of a file for cycle detection: its real path (symlinks resolved), else its absolute path. */
function fileIdentity(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** glob(3) for one path component: `*`, `?`, `[...]` (with `!` or `^` negation). */
function globToRegExp(glob: string): RegExp {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let set = glob.slice(i + 1, close);
      if (set.startsWith('!')) set = `^${set.slice(1)}`;
      re += `[${set.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else re += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`${re}$`);
}

// ---------------------------------------------------------------------------------------------
// levels and category sets

/**
 * Category list `cA`, `cA.cB`, comma-separated (mcstrans `parse_category`). With `allowInverse`, `~`
 * toggles clearing instead of setting until the next comma, applied on top of `start`.
 * Returns the set or an error message.
 */
export function parseCategoryList(text: string, allowInverse: boolean, start: CategorySet): CategorySet | string {
  const set = start.clone();
  const items = text.split(',');
  for (const item of items) {
    let rest = item;
    let inverse = false;
    while (allowInverse && rest.startsWith('~')) {
      inverse = !inverse;
      rest = rest.slice(1);
    }
    const m = /^c(\d+)(?:\.c(\d+))?$/.exec(rest);
    if (m === null) return `expected cN or cN.cM, got ${quoteInput(item)}`;
    const low = Number(m[1]);
    const high = m[2] === undefined ? low : Number(m[2]);
    if (low >= MAX_CATEGORIES || high >= MAX_CATEGORIES) return `category number above c${MAX_CATEGORIES - 1} in ${quoteInput(item)}`;
    if (high < low) return `empty category range ${quoteInput(item)}`;
    for (let i = low; i <= high; i++) {
      if (inverse) set.delete(i);
      else set.add(i);
    }
  }
  return set;
}

/** `sN` or `sN:cats`; undefined when malformed. */
export function parseRawLevel(text: string): RawLevel | undefined {
  const r = parseRawLevelOrError(text);
  return typeof r === 'string' ? undefined : r;
}

/** `sN` or `sN:cats`, or why not. */
function parseRawLevelOrError(text: string): RawLevel | string {
  const m = /^s(\d+)(?::(.+))?$/.exec(text);
  if (m === null) return `${quoteInput(text)} is not a level sN[:cats]`;
  const sens = Number(m[1]);
  if (!Number.isSafeInteger(sens)) return `sensitivity out of range in ${quoteInput(text)}`;
  if (m[2] === undefined) return { sens, cats: new CategorySet() };
  const cats = parseCategoryList(m[2], false, new CategorySet());
  return typeof cats === 'string' ? cats : { sens, cats };
}

/** Kernel-canonical level text: `s0`, `s0:c1,c3`, `s0:c0.c1023`. */
export function formatRawLevel(level: RawLevel): string {
  if (level.cats.isEmpty()) return `s${level.sens}`;
  return `s${level.sens}:${formatCategories(level.cats, (i) => `c${i}`)}`;
}

/** Canonical form of `low[-high]`, halves canonicalised separately; undefined when malformed. */
export function canonicalRange(text: string): string | undefined {
  const r = canonicalRangeOrError(text);
  return r.error === undefined ? r.value : undefined;
}

function canonicalRangeOrError(text: string): { value?: string; error?: string; offset: number } {
  const dash = text.indexOf('-');
  const halves = dash < 0 ? [text] : [text.slice(0, dash), text.slice(dash + 1)];
  const out: string[] = [];
  let offset = 0;
  for (const half of halves) {
    const level = parseRawLevelOrError(half);
    if (typeof level === 'string') return { error: level, offset };
    out.push(formatRawLevel(level));
    offset += half.length + 1;
  }
  return { value: out.join('-'), offset: 0 };
}

/**
 * Apply `f` to the range of `user:role:type:range` (libselinux `context_new` splits at the first
 * three colons). Text with fewer than three colons is taken as a bare range or name.
 */
function mapRangeOfContext(context: string, f: (range: string) => string): string {
  let at = -1;
  for (let k = 0; k < 3; k++) {
    at = context.indexOf(':', at + 1);
    if (at < 0) return f(context);
  }
  const range = context.slice(at + 1);
  if (range === '') return context;
  return context.slice(0, at + 1) + f(range);
}

function xor(a: CategorySet, b: CategorySet): CategorySet {
  const out = new CategorySet();
  for (let i = 0; i < out.words.length; i++) out.words[i] = a.words[i]! ^ b.words[i]!;
  return out;
}

function andNot(a: CategorySet, b: CategorySet): CategorySet {
  const out = new CategorySet();
  for (let i = 0; i < out.words.length; i++) out.words[i] = a.words[i]! & ~b.words[i]!;
  return out;
}

function complement(a: CategorySet): CategorySet {
  const out = new CategorySet();
  for (let i = 0; i < out.words.length; i++) out.words[i] = ~a.words[i]! >>> 0;
  return out;
}

// ---------------------------------------------------------------------------------------------
// computed human → raw helpers (literal-text versions of mcstrans's PCRE matching)

function findAffix(text: string, affixes: readonly string[], kind: 'prefix' | 'suffix'): { start: number; length: number } | undefined {
  if (affixes.length === 0) return undefined;
  const lower = text.toLowerCase();
  let best: { start: number; length: number } | undefined;
  for (const affix of affixes) {
    const a = affix.toLowerCase();
    if (kind === 'prefix') {
      // `(?:P1|P2)[ \t]+`, leftmost match
      for (let at = lower.indexOf(a); at >= 0; at = lower.indexOf(a, at + 1)) {
        let end = at + a.length;
        const wsStart = end;
        while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
        if (end === wsStart) continue;
        if (best === undefined || at < best.start) best = { start: at, length: end - at };
        break;
      }
    } else {
      // `[ \t]+(?:S1|S2)`, leftmost match
      for (let at = lower.indexOf(a); at >= 0; at = lower.indexOf(a, at + 1)) {
        let ws = at;
        while (ws > 0 && (text[ws - 1] === ' ' || text[ws - 1] === '\t')) ws--;
        if (ws === at) continue;
        if (best === undefined || ws < best.start) best = { start: ws, length: at + a.length - ws };
        break;
      }
    }
  }
  return best;
}

/** Longest run of group words and whitespace (the group's word regexp); position within `text`. */
function matchWords(text: string, group: ModifierGroup): { start: number; length: number; text: string } | undefined {
  const sorted = sortedWords(group);
  const lower = text.toLowerCase();
  const isWordChar = (ch: string | undefined): boolean => ch !== undefined && /[A-Za-z0-9_]/.test(ch);
  const tokenAt = (pos: number): number => {
    for (const w of sorted) {
      const lw = w.text.toLowerCase();
      if (!lower.startsWith(lw, pos)) continue;
      // \bWORD\b
      const startOk = isWordChar(text[pos - 1]) !== isWordChar(lw[0]);
      const endOk = isWordChar(lw[lw.length - 1]) !== isWordChar(text[pos + lw.length]);
      if (startOk && endOk) return lw.length;
    }
    let n = 0;
    while (pos + n < text.length && group.whitespace.includes(text[pos + n]!)) n++;
    return n;
  };
  const anchoredStart = group.prefixes.length > 0;
  for (let start = 0; start < (anchoredStart ? 1 : text.length); start++) {
    let pos = start;
    for (let step = tokenAt(pos); step > 0; step = tokenAt(pos)) pos += step;
    if (pos === start) continue;
    if (group.suffixes.length > 0 && pos !== text.length) continue;
    return { start, length: pos - start, text: text.slice(start, pos) };
  }
  return undefined;
}

function sortedWords(group: ModifierGroup): Word[] {
  return [...group.words].sort((a, b) =>
    a.text.length === b.text.length ? (a.text < b.text ? -1 : a.text > b.text ? 1 : 0) : b.text.length - a.text.length,
  );
}

/** Apply each word of `span` to `cats` (set its normal bits, clear its inverse bits); words consumed. */
function consumeWords(span: string, group: ModifierGroup, cats: CategorySet): number {
  const ws = group.whitespace;
  const sorted = sortedWords(group);
  let p = 0;
  const skip = (): void => {
    while (p < span.length && ws.includes(span[p]!)) p++;
  };
  skip();
  let consumed = 0;
  while (p < span.length) {
    const w = sorted.find((word) => span.startsWith(word.text, p));
    if (w === undefined) break; // mcstrans: "conversion error"
    for (const i of andNot(w.cat, group.def)) cats.add(i);
    for (const i of andNot(group.def, w.cat)) cats.delete(i);
    p += w.text.length;
    consumed++;
    skip();
  }
  return consumed;
}

function blank(work: string[], start: number, length: number): void {
  for (let i = start; i < start + length && i < work.length; i++) work[i] = '#';
}
