/**
 * Compiled file contexts: which context `selabel_lookup(SELABEL_CTX_FILE)` (what matchpathcon,
 * restorecon and setfiles use) gives a path, computed exactly as libselinux 3.4 does
 * (S libselinux/src/label_file.c lookup_all, label_file.h sort_specs / get_stem_from_spec), and
 * fast: one lookup walks a prefix tree instead of trying every regex in turn.
 *
 * Which specification wins: after every specification without regex metacharacters
 * (`. ^ $ ? * + | [ ( {`, an escaped one not counting) is moved behind all the others, each group
 * keeping file order (file_contexts, then .homedirs, then .local), the LAST specification whose
 * stem, file type and anchored regex all match the path wins.
 *
 * The key (S label_file.c lookup_all, selabel_sub_key): every run of `/` becomes one `/`, then one
 * trailing `/` is dropped (not from `/`); no `.`/`..` processing, no symlinks. Then the `.subs`
 * substitutions rewrite it once and the `.subs_dist` ones rewrite that result once (the last
 * matching line of a file wins; a line `SRC DST` matches a key equal to SRC or starting SRC/).
 * Stem filter: a specification whose text before its second `/` holds no metacharacter has that
 * text as its stem and is tried only for keys whose first component (up to their second `/`) is
 * the same text. Type filter: with a file type, only specifications without a type field or with
 * exactly that type are tried; `any` (mode 0) tries all.
 * Result: the winner's context; `<<none>>` (libselinux: ENOENT, "leave the label alone"); or null
 * when nothing matches (ENOENT).
 *
 * Matching is on the path's bytes (UTF-8), as PCRE2 without UTF mode sees them.
 */
import { usageError } from '../errors.js';
import { FILE_TYPE_MODE, type FileTypeName } from './file-type.js';
import type { TranslatedRegex } from './pcre-translate.js';
import type { Substitution } from './spec-file.js';

/** What libselinux returns for a path that must keep its label. */
export const NONE_CONTEXT = '<<none>>';

/** One loaded specification, already translated (input to `FileContexts`). */
export interface CompiledSpec {
  readonly regexText: string;
  readonly translated: TranslatedRegex;
  /** S_IFMT value of the type field, 0 when the line had none */
  readonly mode: number;
  readonly context: string;
  readonly file: string;
  readonly line: number;
}

/** The specification that decided a lookup. */
export interface SpecMatch {
  readonly context: string;
  readonly regex: string;
  readonly mode: number;
  readonly file: string;
  readonly line: number;
}

/** Metacharacters that make libselinux keep a specification among the regexes (spec_hasMetaChars). */
function isMeta(code: number): boolean {
  // . ^ $ ? * + | [ ( {
  return code === 0x2e || code === 0x5e || code === 0x24 || code === 0x3f || code === 0x2a || code === 0x2b || code === 0x7c || code === 0x5b || code === 0x28 || code === 0x7b;
}

/** label_file.h spec_hasMetaChars: a metacharacter not preceded by a backslash. */
function hasMetaChars(regex: string): boolean {
  for (let i = 0; i < regex.length; i++) {
    const code = regex.charCodeAt(i);
    if (code === 0x5c) {
      i++;
      continue;
    }
    if (isMeta(code)) return true;
  }
  return false;
}

/** label_file.h get_stem_from_spec: text before the second `/` when it holds no metacharacter. */
function stemOfSpec(regex: string): string | undefined {
  const slash = regex.indexOf('/', 1);
  if (slash < 0) return undefined;
  for (let i = 0; i < slash; i++) if (isMeta(regex.charCodeAt(i))) return undefined;
  return regex.slice(0, slash);
}

/** In an index key: one path component, `[^/]+` followed by `/` (NUL never occurs in a key). */
const COMPONENT = '\0';

/**
 * The index key of a regex: what every path it matches starts with, as literal bytes and
 * COMPONENT tokens. Read from the start of the regex up to its first construct that is neither a
 * literal nor `[^/]+/`; a literal followed by `?` `*` `{` is left out, one followed by `+` ends
 * the key. Shorter than possible is always safe (more candidates, same answers).
 */
function indexKeyOf(src: string, t: TranslatedRegex): string {
  // '' also when the regex has a top-level `|` (the translator reports no prefix then)
  if (t.prefix === '') return '';
  let key = '';
  let i = 0;
  while (i < src.length) {
    if (src.startsWith('[^/]+/', i)) {
      key += COMPONENT;
      i += 5; // the '/' is read next, as a literal
      continue;
    }
    const c = src.charCodeAt(i);
    let lit: string;
    let next: number;
    if (c === 0x5c) {
      const e = src[i + 1];
      if (e === undefined || /[0-9A-Za-z]/.test(e)) break;
      lit = e;
      next = i + 2;
    } else if (isMeta(c) || c === 0x29 || c === 0x5d || c === 0x7d) break;
    else {
      lit = src[i]!;
      next = i + 1;
    }
    const q = src.charCodeAt(next);
    if (q === 0x3f || q === 0x2a || q === 0x7b) break;
    key += lit;
    i = next;
    if (q === 0x2b) break;
  }
  // a component must be followed by its '/' in the key
  while (key.endsWith(COMPONENT)) key = key.slice(0, -1);
  return key;
}

/** A node of the prefix tree over the specifications' literal prefixes. */
interface PrefixNode {
  /** the edge label from the parent (bytes) */
  label: string;
  readonly children: Map<number, PrefixNode>;
  /** indices (into the sorted order) of specs whose prefix ends exactly here */
  readonly own: number[];
  /** every candidate for a key reaching this node: own specs of this node and its ancestors, descending */
  candidates: Int32Array | undefined;
}

function newNode(label: string): PrefixNode {
  return { label, children: new Map(), own: [], candidates: undefined };
}

const NON_ASCII = /[^\x00-\x7f]/;

/** The path as PCRE2 sees it without UTF mode: one latin1 character per UTF-8 byte. */
export function pathBytes(path: string): string {
  return NON_ASCII.test(path) ? Buffer.from(path, 'utf8').toString('latin1') : path;
}

/** label_file.c lookup_all: collapse every run of `/`, drop one trailing `/` (not from "/"). */
export function normalizeKey(key: string): string {
  let k = key.includes('//') ? key.replace(/\/{2,}/g, '/') : key;
  if (k.length > 1 && k.charCodeAt(k.length - 1) === 0x2f) k = k.slice(0, -1);
  return k;
}

/** label_file.c selabel_sub: the first entry of the reversed list (= last matching line) wins. */
function substitute(subs: readonly Substitution[], key: string): string | undefined {
  for (let i = subs.length - 1; i >= 0; i--) {
    const s = subs[i]!;
    if (!key.startsWith(s.src)) continue;
    const next = key.charCodeAt(s.src.length);
    if (key.length === s.src.length) return s.dst;
    if (next !== 0x2f) continue;
    // a destination of "/" swallows the separator: "/" + "x", not "//x"
    return s.dst === '/' ? s.dst + key.slice(s.src.length + 1) : s.dst + key.slice(s.src.length);
  }
  return undefined;
}

/** Merge a descending array with an ascending list (a node's own specs, in insertion order). */
function mergeDescending(desc: Int32Array, asc: readonly number[]): Int32Array {
  const out = new Int32Array(desc.length + asc.length);
  let a = 0;
  let b = asc.length - 1;
  let o = 0;
  while (a < desc.length && b >= 0) out[o++] = desc[a]! > asc[b]! ? desc[a++]! : asc[b--]!;
  while (a < desc.length) out[o++] = desc[a++]!;
  while (b >= 0) out[o++] = asc[b--]!;
  return out;
}

export class FileContexts {
  /** specs in libselinux's sorted order; index = precedence (higher wins) */
  private readonly regexes: readonly (RegExp | undefined)[];
  private readonly modes: Int32Array;
  private readonly stems: Int32Array;
  private readonly contexts: readonly string[];
  private readonly origin: readonly CompiledSpec[];
  private readonly stemIds = new Map<string, number>();
  /** literal specs by the one path (bytes) they match, indices descending */
  private readonly literals = new Map<string, number[]>();
  private readonly root: PrefixNode = newNode('');
  /** scratch for one lookup: the candidate lists `collect` found */
  private readonly lists: Int32Array[] = [];
  private readonly subs: readonly Substitution[];
  private readonly subsDist: readonly Substitution[];

  /**
   * `specs` in load order (file_contexts, .homedirs, .local); `subs` / `subsDist` in file order,
   * their text as bytes (latin1). Regexes are compiled here: a JavaScript RegExp that fails to
   * compile is a translator bug and throws.
   */
  constructor(specs: readonly CompiledSpec[], subs: readonly Substitution[] = [], subsDist: readonly Substitution[] = []) {
    this.subs = subs;
    this.subsDist = subsDist;
    // label_file.h sort_specs: metacharacter specs first, then exact paths, each in load order
    const meta = specs.map((s) => hasMetaChars(s.regexText));
    const sorted = [...specs.filter((_, i) => meta[i]), ...specs.filter((_, i) => !meta[i])];
    const n = sorted.length;
    this.origin = sorted;
    this.modes = new Int32Array(n);
    this.stems = new Int32Array(n);
    const regexes: (RegExp | undefined)[] = new Array<RegExp | undefined>(n);
    const contexts: string[] = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const s = sorted[i]!;
      this.modes[i] = s.mode;
      contexts[i] = s.context;
      const stem = stemOfSpec(s.regexText);
      if (stem === undefined) this.stems[i] = -1;
      else {
        let id = this.stemIds.get(stem);
        if (id === undefined) this.stemIds.set(stem, (id = this.stemIds.size));
        this.stems[i] = id;
      }
      if (s.translated.literal) {
        regexes[i] = undefined;
        const list = this.literals.get(s.translated.prefix);
        if (list) list.unshift(i);
        else this.literals.set(s.translated.prefix, [i]);
      } else {
        regexes[i] = new RegExp(s.translated.source, 's');
        this.insert(indexKeyOf(s.regexText, s.translated), i);
      }
    }
    this.regexes = regexes;
    this.contexts = contexts;
    this.finish(this.root, new Int32Array(0));
  }

  /** Number of specifications loaded (all files). */
  get size(): number {
    return this.origin.length;
  }

  /** Hang spec `index` under its index key: literal runs on labelled edges, each COMPONENT its own child (key 0). */
  private insert(indexKey: string, index: number): void {
    let node = this.root;
    const parts = indexKey.split(COMPONENT);
    for (let k = 0; k < parts.length; k++) {
      if (k > 0) {
        let seg = node.children.get(0);
        if (!seg) node.children.set(0, (seg = newNode(COMPONENT)));
        node = seg;
      }
      node = this.insertLiteral(node, parts[k]!);
    }
    node.own.push(index);
  }

  private insertLiteral(start: PrefixNode, prefix: string): PrefixNode {
    let node = start;
    let pos = 0;
    while (pos < prefix.length) {
      const code = prefix.charCodeAt(pos);
      const child = node.children.get(code);
      if (!child) {
        const leaf = newNode(prefix.slice(pos));
        node.children.set(code, leaf);
        node = leaf;
        pos = prefix.length;
        break;
      }
      // common part of the edge label and the rest of the prefix
      const label = child.label;
      let k = 0;
      while (k < label.length && pos + k < prefix.length && label.charCodeAt(k) === prefix.charCodeAt(pos + k)) k++;
      if (k < label.length) {
        // split the edge at k
        const mid = newNode(label.slice(0, k));
        child.label = label.slice(k);
        mid.children.set(child.label.charCodeAt(0), child);
        node.children.set(code, mid);
        node = mid;
      } else node = child;
      pos += k;
    }
    return node;
  }

  /** Fill `candidates` for every node that owns specs: its own and its ancestors', descending. */
  private finish(node: PrefixNode, inherited: Int32Array): void {
    let here = inherited;
    if (node.own.length > 0) {
      here = mergeDescending(inherited, node.own);
      node.candidates = here;
    }
    for (const child of node.children.values()) this.finish(child, here);
  }

  /**
   * The context for `path` created or relabelled as a `type`: a context, `<<none>>`, or null when no
   * specification matches. Throws E_USAGE for an empty path or one holding a NUL (libselinux:
   * EINVAL; a C string cannot hold NUL).
   */
  lookup(path: string, type: FileTypeName = 'any'): string | null {
    const i = this.find(path, FILE_TYPE_MODE[type]);
    return i < 0 ? null : this.contexts[i]!;
  }

  /** As `lookup`, with the specification that decided. */
  match(path: string, type: FileTypeName = 'any'): SpecMatch | null {
    const i = this.find(path, FILE_TYPE_MODE[type]);
    if (i < 0) return null;
    const s = this.origin[i]!;
    return { context: s.context, regex: s.regexText, mode: s.mode, file: s.file, line: s.line };
  }

  /** The lookup key libselinux matches for `path` (normalised and substituted), as bytes. */
  key(path: string): string {
    if (path.length === 0) throw usageError('empty path (selabel_lookup: EINVAL)');
    if (path.includes('\0')) throw usageError('path holds a NUL character');
    let key = normalizeKey(pathBytes(path));
    const local = substitute(this.subs, key);
    if (local !== undefined) key = local;
    const dist = substitute(this.subsDist, key);
    if (dist !== undefined) key = dist;
    return key;
  }

  private find(path: string, mode: number): number {
    const key = this.key(path);
    const slash = key.indexOf('/', 1);
    const keyStem = slash < 0 ? -2 : (this.stemIds.get(key.slice(0, slash)) ?? -2);
    const modes = this.modes;
    const stems = this.stems;

    // the best exact-path specification (PCRE2 `$` also matches before a final newline)
    let best = this.bestLiteral(key, mode, keyStem);
    if (key.charCodeAt(key.length - 1) === 0x0a) best = Math.max(best, this.bestLiteral(key.slice(0, -1), mode, keyStem));

    // regex candidates whose index key the path starts with, descending; stop below `best`
    const lists = this.lists;
    lists.length = 0;
    this.collect(this.root, key, 0, undefined);
    const regexes = this.regexes;
    const test = (i: number): boolean => {
      const m = modes[i]!;
      if (mode !== 0 && m !== 0 && m !== mode) return false;
      const s = stems[i]!;
      if (s !== -1 && s !== keyStem) return false;
      return regexes[i]!.test(key);
    };
    if (lists.length === 1) {
      const candidates = lists[0]!;
      for (let c = 0; c < candidates.length; c++) {
        const i = candidates[c]!;
        if (i <= best) break;
        if (test(i)) return i;
      }
      return best;
    }
    // several branches (a COMPONENT edge and a literal one): merge them descending, once per spec
    const at = lists.map(() => 0);
    for (;;) {
      let top = -1;
      for (let b = 0; b < lists.length; b++) {
        const l = lists[b]!;
        if (at[b]! < l.length && l[at[b]!]! > top) top = l[at[b]!]!;
      }
      if (top <= best) return best;
      for (let b = 0; b < lists.length; b++) if (lists[b]![at[b]!] === top) at[b]!++;
      if (test(top)) return top;
    }
  }

  /** Candidate lists of the deepest nodes the key reaches from `start`, one per branch, into `lists`. */
  private collect(start: PrefixNode, key: string, pos: number, inherited: Int32Array | undefined): void {
    let node = start;
    let p = pos;
    let candidates = node.candidates ?? inherited;
    for (;;) {
      const component = node.children.get(0);
      if (component) {
        // `[^/]+/`: the rest of this component (at least one byte), then its '/'
        const slash = key.indexOf('/', p);
        if (slash > p) this.collect(component, key, slash, candidates);
      }
      const child = node.children.get(key.charCodeAt(p));
      if (!child || !key.startsWith(child.label, p)) break;
      p += child.label.length;
      node = child;
      if (node.candidates) candidates = node.candidates;
    }
    if (candidates) this.lists.push(candidates);
  }

  private bestLiteral(key: string, mode: number, keyStem: number): number {
    const list = this.literals.get(key);
    if (!list) return -1;
    for (const i of list) {
      const m = this.modes[i]!;
      if (mode !== 0 && m !== 0 && m !== mode) continue;
      const s = this.stems[i]!;
      if (s !== -1 && s !== keyStem) continue;
      return i;
    }
    return -1;
  }
}
