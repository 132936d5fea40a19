/**
 * The regular expressions of file_contexts, translated from the dialect libselinux compiles them in
 * to a JavaScript RegExp with the same meaning, or refused with the offset of the first construct
 * that cannot be translated exactly.
 *
 * libselinux anchors a specification by plain concatenation, `^` + REGEX + `$` (S libselinux/src/
 * label_file.h compile_regex), and compiles it with PCRE2 and the single option PCRE2_DOTALL
 * (S libselinux/src/regex.c regex_prepare_data), without UTF mode: the subject is the path's bytes.
 * So, and this module relies on it:
 * - a top-level `|` binds to the anchors (`a|b` means "starts with a, or ends with b");
 * - `.` and `[^/]` match any one byte, newline included: the JavaScript side runs with the `s` flag
 *   over the path's bytes as a latin1 string (one character per byte, see `pathBytes`);
 * - `$` (and so the closing anchor) also matches before a final newline (PCRE2 without
 *   DOLLAR_ENDONLY): it becomes `(?=\n?$)`;
 * - `\s` is ASCII whitespace `[\t\n\v\f\r ]` (JavaScript's `\s` also takes U+00A0 = byte 0xA0);
 *   `\d` `\w` `\b` are ASCII in both dialects (PCRE2's default C-locale tables);
 * - PCRE2 reads `]` first in a class as a literal (`[]a]`), JavaScript as the end of an empty class;
 * - POSIX classes `[[:alpha:]]` exist only in PCRE2: expanded to their ASCII members;
 * - `{` that does not start a quantifier `{n}` `{n,}` `{n,m}` is a literal in both (PCRE2 10.42).
 * Refused (no exact JavaScript equivalent, or never seen in a file_contexts): back-references and
 * octal escapes, `\Q…\E`, `\p`, `\R`, `\h`, `\v`, `\K`, `\G`, `\c`, `\N`, `\X`, `\C`, possessive
 * quantifiers, groups other than `(…)`, `(?:…)`, `(?=…)`, `(?!…)`, inline options, verbs, negated
 * POSIX classes, a quantifier on nothing or on an assertion, a trailing backslash (anchoring would
 * turn it into a literal `$`), non-ASCII or NUL characters, and repetitions that backtrack
 * exponentially (a group holding an unbounded quantifier repeated more than once, a group holding
 * `|` repeated without bound: PCRE2 stops those at its match limit and libselinux then answers
 * ENOENT, JavaScript would not stop), except the absorbing form `(L S*)*` (see absorbingRepeat).
 */

export interface TranslatedRegex {
  /** JavaScript source of the anchored expression; compile with the flag `s` and test on `pathBytes(key)` */
  readonly source: string;
  /** bytes (latin1) that every matching path starts with; '' when nothing is known */
  readonly prefix: string;
  /** true when the expression matches exactly one path: `prefix` (modulo a final newline, see `$`) */
  readonly literal: boolean;
}

export type TranslateResult =
  | { readonly ok: true; readonly value: TranslatedRegex }
  | { readonly ok: false; readonly offset: number; readonly message: string };

/** The closing anchor and every `$`: end of subject, or before a final newline (PCRE2 default). */
const DOLLAR = '(?=\\n?$)';
/** ASCII whitespace as PCRE2 defines \s (space, \t \n \v \f \r). */
const SPACE_CHARS = '\\t\\n\\v\\f\\r ';

const POSIX_CLASSES: ReadonlyMap<string, string> = new Map([
  ['alpha', 'A-Za-z'],
  ['digit', '0-9'],
  ['alnum', '0-9A-Za-z'],
  ['upper', 'A-Z'],
  ['lower', 'a-z'],
  ['xdigit', '0-9A-Fa-f'],
  ['space', SPACE_CHARS],
  ['blank', '\\t '],
  ['punct', '!-\\/:-@\\[-`{-~'],
  ['word', '0-9A-Za-z_'],
  ['cntrl', '\\x00-\\x1f\\x7f'],
  ['graph', '!-~'],
  ['print', ' -~'],
  ['ascii', '\\x00-\\x7f'],
]);

/** Largest repeat count PCRE2 accepts in `{n,m}`. */
const MAX_REPEAT = 65535;

const JS_SPECIAL = new Set('\\^$.|?*+()[]{}/-');
const CLASS_SPECIAL = new Set('\\]^-[');

function hex2(code: number): string {
  return `\\x${code.toString(16).padStart(2, '0')}`;
}

/** A literal byte as JavaScript source outside a class. */
function literalOut(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code < 0x20 || code === 0x7f) return hex2(code);
  return JS_SPECIAL.has(ch) ? `\\${ch}` : ch;
}

/** A literal byte as JavaScript source inside a class. */
function literalIn(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code < 0x20 || code === 0x7f) return hex2(code);
  return CLASS_SPECIAL.has(ch) ? `\\${ch}` : ch;
}

class Refusal {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

function refuse(offset: number, message: string): never {
  throw new Refusal(offset, message);
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
const isAlnum = (c: string): boolean => /^[0-9A-Za-z]$/.test(c);

/** One escape outside or inside a class: what it emits, and its literal byte when it is one. */
interface Escape {
  readonly out: string;
  readonly literal?: string;
  readonly end: number;
  /** zero-width assertion (`\b`, `\A`, ...): cannot be quantified */
  readonly assertion?: boolean;
  /** a class shorthand (`\d`, `\s`, ...): inside a class it cannot be a range endpoint */
  readonly set?: boolean;
}

/** Parse the escape whose backslash is at `i`. */
function readEscape(src: string, i: number, inClass: boolean): Escape {
  const c = src[i + 1];
  if (c === undefined) refuse(i, 'trailing backslash (the anchoring `$` would become a literal)');
  if (!isAlnum(c)) return { out: inClass ? literalIn(c) : literalOut(c), literal: c, end: i + 2 };
  switch (c) {
    case 'd':
    case 'D':
    case 'w':
    case 'W':
      return { out: `\\${c}`, end: i + 2, set: true };
    case 's':
      return { out: inClass ? SPACE_CHARS : `[${SPACE_CHARS}]`, end: i + 2, set: true };
    case 'S':
      if (inClass) refuse(i, '`\\S` inside a character class is not supported');
      return { out: `[^${SPACE_CHARS}]`, end: i + 2, set: true };
    case 'n':
      return { out: '\\n', literal: '\n', end: i + 2 };
    case 't':
      return { out: '\\t', literal: '\t', end: i + 2 };
    case 'r':
      return { out: '\\r', literal: '\r', end: i + 2 };
    case 'f':
      return { out: '\\f', literal: '\f', end: i + 2 };
    case 'e':
      return { out: '\\x1b', literal: '\x1b', end: i + 2 };
    case 'a':
      return { out: '\\x07', literal: '\x07', end: i + 2 };
    case 'x': {
      let j = i + 2;
      let value: number;
      if (src[j] === '{') {
        const close = src.indexOf('}', j);
        const digits = close < 0 ? '' : src.slice(j + 1, close);
        if (close < 0 || !/^[0-9A-Fa-f]{1,8}$/.test(digits)) refuse(i, 'malformed `\\x{...}` escape');
        value = parseInt(digits, 16);
        if (value > 0xff) refuse(i, '`\\x{...}` above 0xff (file_contexts regexes match bytes)');
        j = close + 1;
      } else {
        let digits = '';
        while (digits.length < 2 && isHex(src[j])) digits += src[j++];
        value = digits.length === 0 ? 0 : parseInt(digits, 16);
      }
      if (value === 0) refuse(i, 'NUL byte in a regex (paths are C strings)');
      const ch = String.fromCharCode(value);
      return { out: hex2(value), literal: ch, end: j };
    }
    case 'b':
      // in a class \b is a backspace in both dialects
      if (inClass) return { out: '\\x08', literal: '\b', end: i + 2 };
      return { out: '\\b', end: i + 2, assertion: true };
    case 'B':
      if (inClass) refuse(i, '`\\B` inside a character class');
      return { out: '\\B', end: i + 2, assertion: true };
    case 'A':
      if (inClass) refuse(i, '`\\A` inside a character class');
      return { out: '^', end: i + 2, assertion: true };
    case 'z':
      if (inClass) refuse(i, '`\\z` inside a character class');
      return { out: '$', end: i + 2, assertion: true };
    case 'Z':
      if (inClass) refuse(i, '`\\Z` inside a character class');
      return { out: DOLLAR, end: i + 2, assertion: true };
    default:
      if (isDigit(c)) refuse(i, `back-reference or octal escape \`\\${c}\` is not supported`);
      return refuse(i, `escape \`\\${c}\` has no exact JavaScript equivalent`);
  }
}

/** Parse a class whose `[` is at `i`; returns its JavaScript source and the index after `]`. */
function readClass(src: string, i: number): { out: string; end: number } {
  let j = i + 1;
  let out = '[';
  if (src[j] === '^') {
    out += '^';
    j++;
  }
  let first = true;
  let items = 0;
  // the previous item, when it can start a range, and its byte
  let rangeStartOk = false;
  let lastLiteral = '';
  let lastWasSet = false;
  // PCRE2 refuses a class that looks like a POSIX class outside brackets (`[:alpha:]`)
  if (/^\[\^?[:.=][^\]]*[:.=]\]/.test(src.slice(i))) refuse(i, 'POSIX class syntax outside a bracket expression');
  for (;;) {
    const c = src[j];
    if (c === undefined) refuse(i, 'missing terminating `]` for character class');
    if (c === ']' && !first) break;
    first = false;
    if (c === '[' && (src[j + 1] === '.' || src[j + 1] === '=')) refuse(j, 'POSIX collating elements are not supported');
    if (c === '-' && !rangeStartOk && items > 0 && lastWasSet && src[j + 1] !== ']') refuse(j, 'a range cannot start with a class escape or POSIX class');
    if (c === '[' && src[j + 1] === ':') {
      const close = src.indexOf(':]', j + 2);
      const name = close < 0 ? '' : src.slice(j + 2, close);
      if (name.startsWith('^')) refuse(j, `negated POSIX class [:${name}:] is not supported`);
      const members = POSIX_CLASSES.get(name);
      if (members === undefined) refuse(j, close < 0 ? 'unterminated POSIX class' : `unknown POSIX class [:${name}:]`);
      out += members;
      j = close + 2;
      rangeStartOk = false;
      lastWasSet = true;
      items++;
      continue;
    }
    if (c === '-' && rangeStartOk && src[j + 1] !== undefined && src[j + 1] !== ']') {
      // a range: the end must be a single byte
      const endAt = j + 1;
      let endByte: string;
      let endOut: string;
      let next: number;
      if (src[endAt] === '\\') {
        const e = readEscape(src, endAt, true);
        if (e.literal === undefined) refuse(endAt, 'a range cannot end in a class escape');
        endByte = e.literal;
        endOut = e.out;
        next = e.end;
      } else if (src[endAt] === '[' && src[endAt + 1] === ':') {
        return refuse(endAt, 'a range cannot end in a POSIX class');
      } else {
        endByte = src[endAt]!;
        endOut = literalIn(endByte);
        next = endAt + 1;
      }
      const startByte = lastLiteral;
      if (endByte.charCodeAt(0) < startByte.charCodeAt(0)) refuse(j, 'range out of order in character class');
      out += `-${endOut}`;
      j = next;
      rangeStartOk = false;
      lastWasSet = false;
      items++;
      continue;
    }
    if (c === '\\') {
      const e = readEscape(src, j, true);
      out += e.out;
      j = e.end;
      rangeStartOk = e.literal !== undefined;
      lastWasSet = e.set === true;
      if (e.literal !== undefined) lastLiteral = e.literal;
      items++;
      continue;
    }
    const code = c.charCodeAt(0);
    if (code === 0 || code > 0x7f) refuse(j, 'NUL or non-ASCII character in a regex');
    out += literalIn(c);
    lastLiteral = c;
    rangeStartOk = true;
    lastWasSet = false;
    j++;
    items++;
  }
  if (items === 0) refuse(i, 'empty character class');
  return { out: `${out}]`, end: j + 1 };
}

/** A quantifier at `i`, or undefined; `min` is its minimum repeat count. */
function readQuantifier(src: string, i: number): { out: string; min: number; end: number } | undefined {
  const c = src[i];
  if (c === '*') return { out: '*', min: 0, end: i + 1 };
  if (c === '+') return { out: '+', min: 1, end: i + 1 };
  if (c === '?') return { out: '?', min: 0, end: i + 1 };
  if (c !== '{') return undefined;
  const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(src.slice(i, i + 16));
  if (!m) return undefined;
  const min = Number(m[1]);
  const max = m[3] === undefined || m[3] === '' ? undefined : Number(m[3]);
  if (min > MAX_REPEAT || (max !== undefined && max > MAX_REPEAT)) refuse(i, `repeat count above ${MAX_REPEAT}`);
  if (max !== undefined && max < min) refuse(i, 'numbers out of order in `{}` quantifier');
  const out = m[2] === undefined ? `{${min}}` : max === undefined ? `{${min},}` : `{${min},${max}}`;
  return { out, min, end: i + m[0].length };
}

/**
 * Translate one file_contexts regex (the first field of a line) to an anchored JavaScript
 * expression. Never throws: a construct that cannot be translated exactly is reported with its
 * 0-based offset in `src`.
 */
export function translateFileContextRegex(src: string): TranslateResult {
  try {
    return { ok: true, value: translate(src) };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, offset: err.offset, message: err.message };
    throw err;
  }
}

/** One atom directly inside a group (or at top level), for the repetition-safety check. */
interface AtomRecord {
  readonly out: string;
  /** matches exactly one byte (a literal, a class, `.`, `\\d` ...) */
  readonly single: boolean;
  quant: string;
}

/** An open group (the top level is one too). */
interface Frame {
  /** a lookahead: an assertion, not quantified here */
  readonly lookaround: boolean;
  /** holds an unbounded quantifier at any depth: repeating it risks exponential backtracking */
  unbounded: boolean;
  /** holds a `|` at any depth: repeating it without bound risks exponential backtracking */
  bar: boolean;
  readonly atoms: AtomRecord[];
}

/** Every byte the single-byte expression `a` matches, `b` matches too (checked over all 256 bytes). */
function byteSubset(a: string, b: string): boolean {
  const ra = new RegExp(`^(?:${a})$`, 's');
  const rb = new RegExp(`^(?:${b})$`, 's');
  for (let code = 0; code < 256; code++) {
    const ch = String.fromCharCode(code);
    if (ra.test(ch) && !rb.test(ch)) return false;
  }
  return true;
}

/**
 * A repeated group `(L S*)` where L and S match one byte each and every byte L matches S matches
 * too: two iterations `L S* L S*` are already one (`L` is absorbed by `S*`), so as a language
 * `(L S*)*` = `(L S*)?` and `(L S*)+` = `(L S*)`. file_contexts use it as `(\.[^/]*)*` for library
 * versions; rewriting it keeps JavaScript's backtracking linear where PCRE2 would hit its match
 * limit (and libselinux would answer ENOENT).
 */
function absorbingRepeat(f: Frame): boolean {
  const [l, s, ...rest] = f.atoms;
  if (!l || !s || rest.length > 0) return false;
  if (!l.single || l.quant !== '' || !s.single || (s.quant !== '*' && s.quant !== '*?')) return false;
  return byteSubset(l.out, s.out);
}

function translate(src: string): TranslatedRegex {
  let out = '^';
  let depth = 0;
  const frames: Frame[] = [{ lookaround: false, unbounded: false, bar: false, atoms: [] }];
  // the group that just closed, when the last atom was a `)`
  let closed: Frame | undefined;
  let i = 0;
  // literal prefix tracking: `prefixOpen` while every atom so far is a top-level literal byte
  let prefix = '';
  let prefixOpen = true;
  let allLiteral = true;
  let topLevelBar = false;
  // what the last emitted atom was: may a quantifier follow it, and its literal byte if any
  let quantifiable = false;
  let lastAtomLiteral: string | undefined;
  while (i < src.length) {
    const c = src[i]!;
    const code = c.charCodeAt(0);
    if (code === 0 || code > 0x7f) refuse(i, 'NUL or non-ASCII character in a regex');
    const q = readQuantifier(src, i);
    if (q) {
      if (!quantifiable) refuse(i, 'quantifier does not follow a repeatable item');
      allLiteral = false;
      if (prefixOpen) {
        // the quantified atom is the last literal taken into the prefix: keep it only if required
        if (lastAtomLiteral !== undefined && q.min === 0) prefix = prefix.slice(0, -1);
        prefixOpen = false;
      }
      const frame = frames[frames.length - 1]!;
      const unbounded = q.out === '*' || q.out === '+' || q.out.endsWith(',}');
      const repeats = unbounded || !(q.out === '?' || q.out === '{0,1}' || q.out === '{1}' || q.out === '{0}' || q.out === '{1,1}');
      let qOut = q.out;
      if (closed && ((closed.unbounded && repeats) || (closed.bar && unbounded))) {
        // such a repetition backtracks exponentially (PCRE2 would hit its match limit): refused,
        // unless it is the absorbing form, rewritten to one optional or required iteration
        if (closed.bar || !unbounded || q.min > 1 || !absorbingRepeat(closed)) {
          refuse(i, 'repeated group holding `|` or an unbounded quantifier (exponential backtracking)');
        }
        qOut = q.min === 0 ? '?' : '';
      }
      if (unbounded) frame.unbounded = true;
      const last = frame.atoms[frame.atoms.length - 1];
      if (last) last.quant = q.out;
      out += qOut;
      i = q.end;
      if (src[i] === '+') refuse(i, 'possessive quantifier has no JavaScript equivalent');
      if (src[i] === '?') {
        if (qOut !== '') out += '?';
        if (last) last.quant += '?';
        i++;
      }
      closed = undefined;
      if (readQuantifier(src, i)) refuse(i, 'quantifier does not follow a repeatable item');
      quantifiable = false;
      lastAtomLiteral = undefined;
      continue;
    }
    let literal: string | undefined;
    let atomOut: string;
    let atomQuantifiable = true;
    switch (c) {
      case '\\': {
        const e = readEscape(src, i, false);
        atomOut = e.out;
        literal = e.literal;
        atomQuantifiable = e.assertion !== true;
        i = e.end;
        break;
      }
      case '[': {
        const cls = readClass(src, i);
        atomOut = cls.out;
        i = cls.end;
        break;
      }
      case '(': {
        if (src[i + 1] === '*') refuse(i, 'PCRE2 verbs `(*...)` are not supported');
        if (src[i + 1] === '?') {
          const kind = src[i + 2];
          if (kind !== ':' && kind !== '=' && kind !== '!') refuse(i, `group \`(?${kind ?? ''}\` is not supported (only (...), (?:...), (?=...), (?!...))`);
          atomOut = `(?${kind}`;
          frames.push({ lookaround: kind !== ':', unbounded: false, bar: false, atoms: [] });
          i += 3;
        } else {
          atomOut = '(';
          frames.push({ lookaround: false, unbounded: false, bar: false, atoms: [] });
          i++;
        }
        depth++;
        atomQuantifiable = false;
        break;
      }
      case ')':
        if (depth === 0) refuse(i, 'unmatched `)`');
        depth--;
        atomOut = ')';
        {
          const done = frames.pop()!;
          atomQuantifiable = !done.lookaround;
          const parent = frames[frames.length - 1]!;
          if (done.unbounded) parent.unbounded = true;
          if (done.bar) parent.bar = true;
          if (frames.length > 1) parent.atoms.push({ out: '', single: false, quant: '' });
          closed = done;
        }
        i++;
        break;
      case '|':
        if (depth === 0) topLevelBar = true;
        frames[frames.length - 1]!.bar = true;
        atomOut = '|';
        atomQuantifiable = false;
        i++;
        break;
      case '.':
        atomOut = '.';
        i++;
        break;
      case '^':
        atomOut = '^';
        atomQuantifiable = false;
        i++;
        break;
      case '$':
        atomOut = DOLLAR;
        atomQuantifiable = false;
        i++;
        break;
      default:
        literal = c;
        atomOut = literalOut(c);
        i++;
    }
    out += atomOut;
    quantifiable = atomQuantifiable;
    lastAtomLiteral = literal;
    if (c !== ')') {
      closed = undefined;
      // atoms are recorded inside groups only: the top level is never repeated
      if (c !== '(' && c !== '|' && frames.length > 1) {
        const single = atomQuantifiable && (literal !== undefined || c === '.' || c === '[' || c === '\\');
        frames[frames.length - 1]!.atoms.push({ out: atomOut, single, quant: '' });
      }
    }
    if (literal === undefined) {
      allLiteral = false;
      prefixOpen = false;
    } else if (prefixOpen && depth === 0) {
      prefix += literal;
    }
    // a group's content is never part of the prefix
    if (depth > 0) prefixOpen = false;
  }
  if (depth > 0) refuse(src.length, 'missing `)`');
  out += DOLLAR;
  if (topLevelBar) return { source: out, prefix: '', literal: false };
  return { source: out, prefix, literal: allLiteral };
}
