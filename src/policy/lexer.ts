/**
 * Hand-written lexer for the kernel policy language as `checkpolicy -F` writes it (and as people
 * write policy.conf by hand). It scans UTF-16 char codes of one string, never runs a regex per token
 * and interns identifiers, so a 10 MB policy costs one pass and a few thousand distinct strings.
 *
 * Token rules follow S checkpolicy/policy_scan.l:
 * - identifier: a letter or `_`, then letters, digits, `_`, `-`, with single `.` between those
 *   (`c0.c1023` is ONE identifier: category ranges are split later, as checkpolicy does);
 * - a word starting with a digit: NUMBER when it is decimal, `0x` hex or octal; otherwise WORD
 *   (filesystem names such as `9p`, IPv4 addresses);
 * - `/…` is a PATH, `"…"` a STRING (quotes stripped);
 * - punctuation `{ } ( ) [ ] ; : , . - ~ * ! ^` and the operators `== != && ||`;
 * - `#` starts a comment up to the end of the line. The first-line comment `# handle_unknown X`
 *   written by `checkpolicy -F` is recorded in `handleUnknownComment`.
 *
 * Positions are UTF-16 offsets into the text; `SourceText` turns them into 1-based line:column
 * (lazily, only when a diagnostic or a kept statement needs one).
 */
import type { HandleUnknown } from './model.js';

export const T_EOF: number = 0;
export const T_IDENT: number = 1;
export const T_NUMBER: number = 2;
export const T_WORD: number = 3;
export const T_PATH: number = 4;
export const T_STRING: number = 5;
export const T_LBRACE: number = 6;
export const T_RBRACE: number = 7;
export const T_LPAREN: number = 8;
export const T_RPAREN: number = 9;
export const T_SEMI: number = 10;
export const T_COLON: number = 11;
export const T_COMMA: number = 12;
export const T_DOT: number = 13;
export const T_MINUS: number = 14;
export const T_TILDE: number = 15;
export const T_STAR: number = 16;
export const T_NOT: number = 17;
export const T_AND: number = 18;
export const T_OR: number = 19;
export const T_XOR: number = 20;
export const T_EQ: number = 21;
export const T_NEQ: number = 22;
export const T_LBRACKET: number = 23;
export const T_RBRACKET: number = 24;
/** a character no token can start with; `value` holds it */
export const T_BAD: number = 25;

const TOKEN_NAMES: readonly string[] = [
  'end of file', 'identifier', 'number', 'word', 'path', 'string', "'{'", "'}'", "'('", "')'", "';'",
  "':'", "','", "'.'", "'-'", "'~'", "'*'", "'!'", "'&&'", "'||'", "'^'", "'=='", "'!='", "'['", "']'",
  'unexpected character',
];

export function tokenName(kind: number): string {
  return TOKEN_NAMES[kind] ?? 'token';
}

// char codes
const C_TAB = 9;
const C_LF = 10;
const C_VT = 11;
const C_FF = 12;
const C_CR = 13;
const C_SPACE = 32;
const C_BANG = 33;
const C_QUOTE = 34;
const C_HASH = 35;
const C_AMP = 38;
const C_LPAREN = 40;
const C_RPAREN = 41;
const C_STAR = 42;
const C_COMMA = 44;
const C_MINUS = 45;
const C_DOT = 46;
const C_SLASH = 47;
const C_0 = 48;
const C_7 = 55;
const C_9 = 57;
const C_COLON = 58;
const C_SEMI = 59;
const C_EQ = 61;
const C_LBRACKET = 91;
const C_RBRACKET = 93;
const C_CARET = 94;
const C_UNDERSCORE = 95;
const C_LBRACE = 123;
const C_PIPE = 124;
const C_RBRACE = 125;
const C_TILDE = 126;

/** Character classes, one byte per ASCII code. */
const CC_LETTER = 1;
const CC_DIGIT = 2;
const CC_IDPART = 4; // letter, digit, '_' or '-'
const CC_SPACE = 8;
const CC_PATH = 16; // what may follow '/' in a PATH
const CC_ADDR = 32; // characters of IPv4/IPv6 addresses and subnets
const CHAR_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  let k = 0;
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  const digit = c >= C_0 && c <= C_9;
  if (letter) k |= CC_LETTER;
  if (digit) k |= CC_DIGIT;
  if (letter || digit || c === C_UNDERSCORE || c === C_MINUS) k |= CC_IDPART;
  if (c === C_SPACE || c === C_TAB || c === C_LF || c === C_CR || c === C_FF || c === C_VT) k |= CC_SPACE;
  if (letter || digit || c === C_UNDERSCORE || c === C_MINUS || c === C_DOT || c === C_SLASH) k |= CC_PATH;
  if (digit || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === C_COLON || c === C_DOT) k |= CC_ADDR;
  CHAR_CLASS[c] = k;
}

function cls(c: number): number {
  return c < 128 ? CHAR_CLASS[c]! : 0;
}

/**
 * Open-addressing intern table over slices of the source text: a slice that was seen before
 * returns the same string instance without allocating.
 */
class InternTable {
  private keys: (string | undefined)[] = new Array<string | undefined>(1 << 12);
  private hashes = new Int32Array(1 << 12);
  private count = 0;

  intern(text: string, start: number, end: number, hash: number): string {
    let mask = this.keys.length - 1;
    let i = hash & mask;
    const len = end - start;
    for (;;) {
      const k = this.keys[i];
      if (k === undefined) break;
      if (this.hashes[i] === hash && k.length === len) {
        let j = 0;
        while (j < len && k.charCodeAt(j) === text.charCodeAt(start + j)) j++;
        if (j === len) return k;
      }
      i = (i + 1) & mask;
    }
    const s = text.slice(start, end);
    this.keys[i] = s;
    this.hashes[i] = hash;
    if (++this.count * 2 > this.keys.length) {
      this.grow();
      mask = this.keys.length - 1;
    }
    return s;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldHashes = this.hashes;
    const size = oldKeys.length * 2;
    this.keys = new Array<string | undefined>(size);
    this.hashes = new Int32Array(size);
    const mask = size - 1;
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i];
      if (k === undefined) continue;
      let j = oldHashes[i]! & mask;
      while (this.keys[j] !== undefined) j = (j + 1) & mask;
      this.keys[j] = k;
      this.hashes[j] = oldHashes[i]!;
    }
  }
}

/** Maps UTF-16 offsets to 1-based line/column and returns line texts (built on first use). */
export class SourceText {
  private lineStarts: Int32Array | undefined;

  constructor(
    readonly text: string,
    readonly file: string,
  ) {}

  private starts(): Int32Array {
    if (this.lineStarts) return this.lineStarts;
    const text = this.text;
    let n = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
    const starts = new Int32Array(n);
    let k = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[k++] = i + 1;
    this.lineStarts = starts;
    return starts;
  }

  /** 0-based line index containing offset `pos` */
  private lineIndex(pos: number): number {
    const starts = this.starts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  loc(pos: number): { file: string; line: number; column: number } {
    const li = this.lineIndex(pos);
    return { file: this.file, line: li + 1, column: pos - this.starts()[li]! + 1 };
  }

  lineText(pos: number): string {
    const starts = this.starts();
    const li = this.lineIndex(pos);
    const start = starts[li]!;
    let end = li + 1 < starts.length ? starts[li + 1]! - 1 : this.text.length;
    if (end > start && this.text.charCodeAt(end - 1) === C_CR) end--;
    return this.text.slice(start, end);
  }
}

/** A saved lexer position (see Lexer.mark / Lexer.reset). */
export interface LexerMark {
  readonly pos: number;
  readonly kind: number;
  readonly start: number;
  readonly end: number;
  readonly value: string;
  readonly lineStart: boolean;
}

/**
 * Pull lexer: `next()` advances; the current token is (`kind`, `value`, `start`, `end`).
 * `value` is the interned text for identifiers, words, numbers and paths, the unquoted content of a
 * string, and the character itself for punctuation.
 */
export class Lexer {
  kind = T_EOF;
  value = '';
  start = 0;
  end = 0;
  /** true when the current token is the first one on its line */
  atLineStart = true;
  /** `# handle_unknown X` found in a leading comment, if any */
  handleUnknownComment: HandleUnknown | undefined;
  private pos = 0;
  private readonly text: string;
  private readonly len: number;
  private readonly interner = new InternTable();
  private sawNonComment = false;

  constructor(text: string) {
    this.text = text;
    this.len = text.length;
    this.next();
  }

  mark(): LexerMark {
    return { pos: this.pos, kind: this.kind, start: this.start, end: this.end, value: this.value, lineStart: this.atLineStart };
  }

  reset(m: LexerMark): void {
    this.pos = m.pos;
    this.kind = m.kind;
    this.start = m.start;
    this.end = m.end;
    this.value = m.value;
    this.atLineStart = m.lineStart;
  }

  /** The first non-blank character code after the current token (-1 at end). Comments are not skipped. */
  peekChar(): number {
    const text = this.text;
    let p = this.pos;
    while (p < this.len && (cls(text.charCodeAt(p)) & CC_SPACE) !== 0) p++;
    return p < this.len ? text.charCodeAt(p) : -1;
  }

  /**
   * Re-scan from the start of the current token as a network address (IPv4 `a.b.c.d`, IPv6 with
   * `::`, e.g. `::ffff:127.0.0.1` or `fe80::`): hex digits, `:` and `.`. The result is a WORD.
   * Returns false (leaving the token unchanged) when no address characters are there.
   */
  rescanAddress(): boolean {
    const text = this.text;
    let p = this.start;
    while (p < this.len && (cls(text.charCodeAt(p)) & CC_ADDR) !== 0) p++;
    if (p === this.start) return false;
    this.end = p;
    this.pos = p;
    this.kind = T_WORD;
    this.value = text.slice(this.start, p);
    return true;
  }

  next(): void {
    const text = this.text;
    const len = this.len;
    let p = this.pos;
    let newline = p === 0;
    // skip blanks and comments
    for (;;) {
      if (p >= len) break;
      const c = text.charCodeAt(p);
      if (c === C_LF) {
        newline = true;
        p++;
      } else if ((cls(c) & CC_SPACE) !== 0) {
        p++;
      } else if (c === C_HASH) {
        let e = text.indexOf('\n', p);
        if (e < 0) e = len;
        if (!this.sawNonComment) this.noteComment(p, e);
        p = e;
      } else break;
    }
    this.atLineStart = newline;
    this.start = p;
    if (p >= len) {
      this.kind = T_EOF;
      this.value = '';
      this.end = this.pos = len;
      return;
    }
    this.sawNonComment = true;
    const c = text.charCodeAt(p);
    const k = cls(c);
    if ((k & CC_LETTER) !== 0 || c === C_UNDERSCORE) {
      // identifier: first char, then idparts with single dots between them
      let hash = (c * 0x01000193) | 0;
      let q = p + 1;
      for (;;) {
        if (q >= len) break;
        const d = text.charCodeAt(q);
        if ((cls(d) & CC_IDPART) !== 0) {
          hash = Math.imul(hash ^ d, 0x01000193);
          q++;
        } else if (d === C_DOT && q + 1 < len && (cls(text.charCodeAt(q + 1)) & CC_IDPART) !== 0) {
          hash = Math.imul(hash ^ d, 0x01000193);
          q++;
        } else break;
      }
      this.kind = T_IDENT;
      this.value = this.interner.intern(text, p, q, hash);
      this.end = this.pos = q;
      return;
    }
    if ((k & CC_DIGIT) !== 0) {
      // digits, letters, '_' and '.': a number, or a word such as 9p or 127.0.0.1
      let q = p + 1;
      let hash = (c * 0x01000193) | 0;
      while (q < len) {
        const d = text.charCodeAt(q);
        const dk = cls(d);
        if ((dk & (CC_LETTER | CC_DIGIT)) !== 0 || d === C_UNDERSCORE || d === C_DOT) {
          hash = Math.imul(hash ^ d, 0x01000193);
          q++;
        } else break;
      }
      this.kind = isNumberText(text, p, q) ? T_NUMBER : T_WORD;
      this.value = this.interner.intern(text, p, q, hash);
      this.end = this.pos = q;
      return;
    }
    let kind: number;
    let q = p + 1;
    switch (c) {
      case C_LBRACE: kind = T_LBRACE; break;
      case C_RBRACE: kind = T_RBRACE; break;
      case C_LPAREN: kind = T_LPAREN; break;
      case C_RPAREN: kind = T_RPAREN; break;
      case C_LBRACKET: kind = T_LBRACKET; break;
      case C_RBRACKET: kind = T_RBRACKET; break;
      case C_SEMI: kind = T_SEMI; break;
      case C_COLON: kind = T_COLON; break;
      case C_COMMA: kind = T_COMMA; break;
      case C_DOT: kind = T_DOT; break;
      case C_MINUS: kind = T_MINUS; break;
      case C_TILDE: kind = T_TILDE; break;
      case C_STAR: kind = T_STAR; break;
      case C_CARET: kind = T_XOR; break;
      case C_BANG:
        if (q < len && text.charCodeAt(q) === C_EQ) {
          kind = T_NEQ;
          q++;
        } else kind = T_NOT;
        break;
      case C_EQ:
        if (q < len && text.charCodeAt(q) === C_EQ) {
          kind = T_EQ;
          q++;
        } else kind = T_BAD;
        break;
      case C_AMP:
        if (q < len && text.charCodeAt(q) === C_AMP) {
          kind = T_AND;
          q++;
        } else kind = T_BAD;
        break;
      case C_PIPE:
        if (q < len && text.charCodeAt(q) === C_PIPE) {
          kind = T_OR;
          q++;
        } else kind = T_BAD;
        break;
      case C_SLASH: {
        while (q < len && (cls(text.charCodeAt(q)) & CC_PATH) !== 0) q++;
        this.kind = T_PATH;
        this.value = text.slice(p, q);
        this.end = this.pos = q;
        return;
      }
      case C_QUOTE: {
        while (q < len) {
          const d = text.charCodeAt(q);
          if (d === C_QUOTE || d === C_LF) break;
          q++;
        }
        if (q < len && text.charCodeAt(q) === C_QUOTE) {
          this.kind = T_STRING;
          this.value = text.slice(p + 1, q);
          this.end = this.pos = q + 1;
        } else {
          // unterminated string: report the quote itself as a bad character
          this.kind = T_BAD;
          this.value = '"';
          this.end = this.pos = p + 1;
        }
        return;
      }
      default:
        kind = T_BAD;
        // keep surrogate pairs together so messages show the whole character
        if (c >= 0xd800 && c <= 0xdbff && q < len) q++;
    }
    this.kind = kind;
    this.value = text.slice(p, q);
    this.end = this.pos = q;
  }

  private noteComment(start: number, end: number): void {
    // "# handle_unknown allow" (checkpolicy -F header); tolerate surrounding blanks
    const body = this.text.slice(start + 1, end).trim();
    if (!body.startsWith('handle_unknown')) return;
    const v = body.slice('handle_unknown'.length).trim();
    if (v === 'allow' || v === 'deny' || v === 'reject') this.handleUnknownComment = v;
  }
}

/** decimal digits, `0x` + hex digits, or `0` + octal digits (strtoul base 0, as checkpolicy) */
function isNumberText(text: string, p: number, q: number): boolean {
  if (q - p > 2 && text.charCodeAt(p) === C_0 && (text.charCodeAt(p + 1) | 0x20) === 120) {
    for (let i = p + 2; i < q; i++) {
      const c = text.charCodeAt(i) | 0x20;
      if (!((c >= C_0 && c <= C_9) || (c >= 97 && c <= 102))) return false;
    }
    return true;
  }
  const octal = q - p > 1 && text.charCodeAt(p) === C_0;
  for (let i = p; i < q; i++) {
    const c = text.charCodeAt(i);
    if (c < C_0 || c > (octal ? C_7 : C_9)) return false;
  }
  return true;
}

/** The value of a NUMBER token's text (decimal, 0x hex, 0 octal); NaN when it is not one. */
export function numberValue(s: string): number {
  if (s.length > 2 && s[0] === '0' && (s[1] === 'x' || s[1] === 'X')) return parseInt(s.slice(2), 16);
  if (s.length > 1 && s[0] === '0') return /^[0-7]+$/.test(s) ? parseInt(s, 8) : NaN;
  return /^[0-9]+$/.test(s) ? parseInt(s, 10) : NaN;
}
