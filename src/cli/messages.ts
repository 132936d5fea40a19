/**
 * The shape of every error line the CLI prints: one line, bounded length, no raw control characters.
 * Error factories already quote input through quoteInput() (src/errors.ts); this is the last guard
 * for text svirt does not build itself (commander's usage messages, Node's own error messages).
 */
import { PolicySyntaxError, formatDiagnostic } from '../errors.js';

/** Longest error line the CLI prints, in characters (a path and ~80 quoted characters fit twice). */
export const MESSAGE_LIMIT = 400;

/**
 * `text` as one line: control characters (newline included) escaped as in quoteInput(), and cut at
 * `max` characters with a note of how much was dropped.
 */
export function oneLine(text: string, max = MESSAGE_LIMIT): string {
  let out = '';
  let shown = 0;
  for (const ch of text.length > max * 2 ? text.slice(0, max * 2) : text) {
    if (out.length >= max) break;
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) || code === 0x2028 || code === 0x2029) {
      out += code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += ch;
    shown += ch.length;
  }
  if (shown < text.length) out += `… (${text.length - shown} more characters)`;
  return out;
}

/**
 * The one-line message for an error that ends a command. A policy with several diagnostics is
 * reported by its first, with the count of the rest (every diagnostic is in `err.diagnostics`).
 */
export function errorLine(err: unknown): string {
  if (err instanceof PolicySyntaxError && err.diagnostics.length > 0) {
    const more = err.diagnostics.length - 1;
    return oneLine(`${formatDiagnostic(err.diagnostics[0]!)}${more > 0 ? ` (and ${more} more error${more > 1 ? 's' : ''})` : ''}`);
  }
  return oneLine(err instanceof Error ? err.message : String(err));
}
