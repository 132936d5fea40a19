/**
 * Every error svirt throws comes from this module: one base class with a stable `code`, a subclass
 * per failure domain, each carrying the location of the fault (offset in a context string,
 * file:line:col in a policy text, byte offset in a binary policy).
 *
 * Fail closed: callers that cannot decide treat any SvirtError as a denial.
 */

export type ErrorCode =
  | 'E_CONTEXT'
  | 'E_POLICY_SYNTAX'
  | 'E_POLICY_BINARY'
  | 'E_POLICY_UNSUPPORTED'
  | 'E_UNKNOWN_CLASS'
  | 'E_UNKNOWN_PERM'
  | 'E_UNKNOWN_BOOL'
  | 'E_BAD_SID'
  | 'E_BAD_ARGUMENT'
  | 'E_WASM'
  | 'E_USAGE'
  | 'E_STATE'
  | 'E_LABEL'
  | 'E_ALLOC_EXHAUSTED'
  | 'E_SETRANS'
  | 'E_SMACK'
  | 'E_SIM'
  | 'E_IO'
  | 'E_LIMIT'
  | 'E_BENCH'
  | 'E_FILE_CONTEXTS';

/** How many characters of hostile input an error message quotes at most. */
export const QUOTE_LIMIT = 80;

/**
 * Quote user-supplied text for a one-line error message: at most `max` characters, control
 * characters (including newlines), backslashes and quotes escaped, and a note of how much was cut.
 * Every message that echoes input goes through this, so no input can span lines or flood a terminal.
 */
export function quoteInput(text: string, max = QUOTE_LIMIT): string {
  const chars = Array.from(text.length > max * 4 ? text.slice(0, max * 4) : text);
  const shown = chars.slice(0, max);
  let out = '"';
  for (const ch of shown) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) || code === 0x2028 || code === 0x2029) {
      out += code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  out += '"';
  const total = text.length;
  const shownLength = shown.join('').length;
  if (shownLength < total) out += `… (${total - shownLength} more characters)`;
  return out;
}

/**
 * A file name for a `file:line:col` location: as it is when it is short and printable (so editors
 * and tools can jump to it), else quoted and cut like any other input.
 */
export function displayPath(path: string): string {
  return path.length <= 2 * QUOTE_LIMIT && !/[\x00-\x1f\x7f-\x9f\u2028\u2029"\\]/.test(path) ? path : quoteInput(path);
}

export class SvirtError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Which part of `user:role:type:level` an error is about. */
export type ContextPart = 'context' | 'user' | 'role' | 'type' | 'level' | 'sensitivity' | 'category' | 'range';

export type ContextErrorKind =
  | 'empty'
  | 'empty-part'
  | 'malformed'
  | 'unknown-user'
  | 'unknown-role'
  | 'unknown-type'
  | 'attribute-as-type'
  | 'unknown-sensitivity'
  | 'unknown-category'
  | 'category-not-allowed'
  | 'bad-category-range'
  | 'high-below-low'
  | 'role-not-authorised-for-type'
  | 'user-not-authorised-for-role'
  | 'range-outside-user'
  | 'mls-missing'
  | 'mls-not-enabled';

export class ContextError extends SvirtError {
  constructor(
    readonly kind: ContextErrorKind,
    readonly part: ContextPart,
    /** character offset in the context string where the faulty part starts */
    readonly offset: number,
    readonly input: string,
    detail: string,
  ) {
    super('E_CONTEXT', `invalid context ${quoteInput(input)} at offset ${offset} (${part}): ${detail}`);
  }
}

/** One compiler diagnostic, printed `file:line:col: error: message` (esbuild/gcc style). */
export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly lineText?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${displayPath(d.file)}:${d.line}:${d.column}: error: ${d.message}`;
}

/** How many diagnostics a PolicySyntaxError message lists; the rest are counted. */
export const MESSAGE_DIAGNOSTICS = 20;

/**
 * A policy text that failed to parse or compile. `diagnostics` holds every one (each formats as
 * one line); the message lists the first MESSAGE_DIAGNOSTICS, then `… N more errors`.
 */
export class PolicySyntaxError extends SvirtError {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    const shown = diagnostics.slice(0, MESSAGE_DIAGNOSTICS).map(formatDiagnostic);
    const more = diagnostics.length - shown.length;
    if (more > 0) shown.push(`… ${more} more error${more === 1 ? '' : 's'}`);
    super('E_POLICY_SYNTAX', shown.join('\n') || 'policy error');
  }
}

/** A binary policy.NN that cannot be read: names the section and the byte offset. */
export class BinaryPolicyError extends SvirtError {
  constructor(
    readonly section: string,
    readonly offset: number,
    detail: string,
  ) {
    super('E_POLICY_BINARY', `binary policy: ${section} at byte ${offset}: ${detail}`);
  }
}

export function policyUnsupported(message: string): SvirtError {
  return new SvirtError('E_POLICY_UNSUPPORTED', message);
}

export function unknownClass(name: string): SvirtError {
  return new SvirtError('E_UNKNOWN_CLASS', `unknown security class ${quoteInput(name)}`);
}

export function unknownPerm(className: string, perm: string): SvirtError {
  return new SvirtError('E_UNKNOWN_PERM', `unknown permission ${quoteInput(perm)} for class ${quoteInput(className)}`);
}

export function unknownBool(name: string): SvirtError {
  return new SvirtError('E_UNKNOWN_BOOL', `unknown boolean ${quoteInput(name)}`);
}

export function badSid(sid: number): SvirtError {
  return new SvirtError('E_BAD_SID', `unknown SID ${sid}`);
}

/**
 * A library call given a value of the wrong kind or out of range (a SID, class or mask that is not
 * a u32, arrays of different lengths, a window outside a region): refused before any decision.
 */
export function badArgument(api: string, message: string): SvirtError {
  return new SvirtError('E_BAD_ARGUMENT', `${api}: ${message}`);
}

export function wasmFailure(message: string, cause?: unknown): SvirtError {
  return new SvirtError('E_WASM', `wasm engine: ${message}`, { cause });
}

export function usageError(message: string): SvirtError {
  return new SvirtError('E_USAGE', message);
}

export function ioError(path: string, cause: unknown): SvirtError {
  // Node's system errors repeat the path ("ENOENT: no such file or directory, open '<path>'"): drop
  // that tail, the path is already quoted in front
  const message = cause instanceof Error ? cause.message : String(cause);
  const reason = (cause as { syscall?: unknown } | null)?.syscall !== undefined ? message.replace(/, \w+ '[\s\S]*$/, '') : message;
  return new SvirtError('E_IO', `${quoteInput(path)}: ${reason}`, { cause });
}

/** An input over a documented size limit (src/io/input.ts), refused before it is held whole. */
export function limitError(what: string, limit: string, detail: string): SvirtError {
  return new SvirtError('E_LIMIT', `${what}: ${detail} (limit ${limit})`);
}

export function stateError(message: string, cause?: unknown): SvirtError {
  return new SvirtError('E_STATE', message, { cause });
}

export function labelError(message: string): SvirtError {
  return new SvirtError('E_LABEL', message);
}

export function allocationExhausted(total: number): SvirtError {
  return new SvirtError('E_ALLOC_EXHAUSTED', `MCS allocator: all ${total} category pairs are in use`);
}

export function setransError(file: string, line: number, column: number, message: string): SvirtError {
  return new SvirtError('E_SETRANS', `${displayPath(file)}:${line}:${column}: error: ${message}`);
}

export function smackError(message: string): SvirtError {
  return new SvirtError('E_SMACK', message);
}

export function simError(message: string, cause?: unknown): SvirtError {
  return new SvirtError('E_SIM', message, { cause });
}

/** What went wrong with a guest in the label manager (src/label/manager.ts). */
export type GuestErrorKind =
  | 'unknown-guest'
  | 'already-running'
  | 'not-running'
  | 'uuid-conflict'
  | 'bad-definition'
  | 'bad-seclabel'
  | 'unsupported'
  | 'label-in-use'
  | 'disk-in-use'
  /** the kernel refused the exec that starts the guest's process (simulated host) */
  | 'exec-denied';

/** A label-manager failure about one guest (E_LABEL); the store is left as it was. */
export class GuestError extends SvirtError {
  constructor(
    readonly kind: GuestErrorKind,
    readonly guest: string,
    detail: string,
  ) {
    super('E_LABEL', detail);
  }
}

export function unknownGuest(name: string): GuestError {
  return new GuestError('unknown-guest', name, `guest ${quoteInput(name)} is not defined`);
}

export function guestError(kind: GuestErrorKind, name: string, detail: string): GuestError {
  return new GuestError(kind, name, detail);
}

/** A security driver lacks a hook the operation needs (libvirt virReportUnsupportedError). */
export function unsupportedDriverOperation(driver: string, operation: string): SvirtError {
  return new SvirtError('E_LABEL', `security driver "${driver}" does not support ${operation}`);
}

/** A file_contexts (or .subs) line that cannot be loaded, with its 1-based location (src/labeling/). */
export function fileContextsError(file: string, line: number, column: number, message: string): SvirtError {
  return new SvirtError('E_FILE_CONTEXTS', `${file}:${line}:${column}: error: ${message}`);
}

/** A domain XML (or other definition input) that cannot be read, with its 1-based location. */
export function definitionError(file: string, line: number, column: number, message: string): SvirtError {
  return new SvirtError('E_LABEL', `${displayPath(file)}:${line}:${column}: error: ${message}`);
}

/** What stopped a benchmark run (src/bench/): a peer that disagrees, a missing suite, a bad baseline. */
export type BenchErrorKind = 'peer-mismatch' | 'unknown-suite' | 'bad-baseline' | 'workload' | 'peer-failed' | 'peer-absent';

/** A benchmark failure (E_BENCH): `svirt bench` prints the message and exits 1 (mismatch) or 2. */
export class BenchError extends SvirtError {
  constructor(
    readonly kind: BenchErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('E_BENCH', message, options);
  }
}

export function benchError(kind: BenchErrorKind, message: string, cause?: unknown): BenchError {
  return new BenchError(kind, message, { cause });
}
