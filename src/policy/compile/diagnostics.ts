/**
 * Diagnostic collection shared by the parser and the compiler. Problems are recorded with a source
 * offset and turned into `file:line:col` Diagnostics (src/errors.ts) only when reported, so the hot
 * path never computes line numbers. All problems are collected; `throwIfAny` raises one
 * PolicySyntaxError carrying every diagnostic in source order.
 */
import { PolicySyntaxError, type Diagnostic } from '../../errors.js';
import type { SourceText } from '../lexer.js';

/** Past this many diagnostics the rest are counted, not kept (a garbage file must not exhaust memory). */
export const MAX_DIAGNOSTICS = 10_000;

/** A diagnostic message is at most this many characters (names it quotes are source text). */
export const MAX_MESSAGE = 240;

/**
 * Every message is one line of bounded length: control characters are escaped and an over-long
 * message (a huge identifier quoted in it) is cut. Tokens quoted by the parser already went
 * through quoteInput(); names quoted by the compiler are identifiers (no control characters) of
 * any length, hence the cut.
 */
function oneLine(message: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = message.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
  return escaped.length > MAX_MESSAGE ? `${escaped.slice(0, MAX_MESSAGE - 1)}…` : escaped;
}

export class Diagnostics {
  private readonly items: Array<{ pos: number; message: string; seq: number }> = [];
  private dropped = 0;

  constructor(readonly source: SourceText) {}

  get count(): number {
    return this.items.length + this.dropped;
  }

  error(pos: number, message: string): void {
    if (this.items.length >= MAX_DIAGNOSTICS) {
      this.dropped++;
      return;
    }
    this.items.push({ pos, message: oneLine(message), seq: this.items.length });
  }

  toDiagnostics(): Diagnostic[] {
    const sorted = [...this.items].sort((a, b) => a.pos - b.pos || a.seq - b.seq);
    const out: Diagnostic[] = sorted.map((d) => {
      const loc = this.source.loc(d.pos);
      return { file: loc.file, line: loc.line, column: loc.column, message: d.message, lineText: this.source.lineText(d.pos) };
    });
    if (this.dropped > 0) {
      const last = sorted[sorted.length - 1];
      const loc = this.source.loc(last ? last.pos : 0);
      out.push({ file: loc.file, line: loc.line, column: loc.column, message: `${this.dropped} further errors not shown` });
    }
    return out;
  }

  throwIfAny(): void {
    if (this.count > 0) throw new PolicySyntaxError(this.toDiagnostics());
  }
}
