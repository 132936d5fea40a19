/**
 * Argument checks for the library's numeric boundary (WasmEngine, BatchRegion, the SecurityServer
 * facade, checkMany). The Wasm ABI takes i32: a JS number that is not a u32 would be ToInt32-wrapped
 * by the call (2^32 + sid names `sid`, 28.5 names 28, -1 names 0xffffffff), and TypedArray#set
 * wraps the same way. So every value is checked BEFORE it can reach Wasm memory, and a bad one is an
 * E_BAD_ARGUMENT error, never a silently different request.
 *
 * Typed arrays are recognised by their intrinsic [[TypedArrayName]] (the %TypedArray%.prototype
 * @@toStringTag getter), so an array-like, a Float64Array or an object with a fake `length` is
 * refused, and Uint32Arrays from another realm are accepted. A Uint32Array cannot hold a value
 * outside 0..2^32-1, so its elements need no per-element check.
 */
import { badArgument, quoteInput, type SvirtError } from '../errors.js';

const typedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as object;
const tagGetter = Object.getOwnPropertyDescriptor(typedArrayProto, Symbol.toStringTag)!.get!;
const lengthGetter = Object.getOwnPropertyDescriptor(typedArrayProto, 'length')!.get!;

/** The intrinsic typed-array kind of `v` ('Uint32Array', …), or undefined for anything else. */
export function typedArrayKind(v: unknown): string | undefined {
  return tagGetter.call(v) as string | undefined;
}

/** True for 0..2^32-1 (and -0); false for NaN, fractions, negatives, >= 2^32 and non-numbers. */
export function isU32(v: unknown): v is number {
  return typeof v === 'number' && v >>> 0 === v;
}

/** A one-line description of any value for an error message; never throws. */
export function describeValue(v: unknown): string {
  try {
    switch (typeof v) {
      case 'number':
        return String(v);
      case 'bigint':
        return `${v}n (a bigint)`;
      case 'string':
        return `the string ${quoteInput(v)}`;
      case 'boolean':
      case 'undefined':
        return String(v);
      case 'symbol':
        return 'a symbol';
      case 'function':
        return 'a function';
      default: {
        if (v === null) return 'null';
        const kind = typedArrayKind(v);
        if (kind !== undefined) return `a ${kind} of length ${lengthGetter.call(v) as number}`;
        return Array.isArray(v) ? `an array of length ${v.length}` : 'an object';
      }
    }
  } catch {
    return 'an unreadable value';
  }
}

/** `v` if it is a u32, else E_BAD_ARGUMENT naming `api` and `what`. */
export function requireU32(api: string, what: string, v: unknown): number {
  if (!isU32(v)) throw badArgument(api, `${what} must be an integer in 0..2^32-1, got ${describeValue(v)}`);
  return v;
}

/** `v` if it is an integer in min..max, else E_BAD_ARGUMENT. */
export function requireInt(api: string, what: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw badArgument(api, `${what} must be an integer in ${min}..${max}, got ${describeValue(v)}`);
  }
  return v;
}

export function requireBoolean(api: string, what: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw badArgument(api, `${what} must be true or false, got ${describeValue(v)}`);
  return v;
}

export function requireString(api: string, what: string, v: unknown): string {
  if (typeof v !== 'string') throw badArgument(api, `${what} must be a string, got ${describeValue(v)}`);
  return v;
}

/** Nothing when `v` is an object or undefined, else E_BAD_ARGUMENT. */
export function requireOptions(api: string, what: string, v: unknown): void {
  if (v !== undefined && (typeof v !== 'object' || v === null)) throw badArgument(api, `${what} must be an object, got ${describeValue(v)}`);
}

/** The length of `v` when it is a typed array of `kind`, else E_BAD_ARGUMENT. */
export function requireTypedArray(api: string, what: string, v: unknown, kind: 'Uint32Array' | 'Uint8Array'): number {
  if (typedArrayKind(v) !== kind) throw badArgument(api, `${what} must be a ${kind}, got ${describeValue(v)}`);
  return lengthGetter.call(v) as number;
}

/**
 * Fail-closed output: write a denial (0) into every slot of `out` when it is an array or a typed
 * array, so an error thrown afterwards never leaves an earlier grant in a reused buffer. Never throws.
 */
export function denyAll(out: unknown): void {
  try {
    if (typedArrayKind(out) !== undefined) (out as Uint8Array).fill(0);
    else if (Array.isArray(out)) out.fill(0);
  } catch {
    // a frozen or detached buffer: nothing can be written, and nothing old can be read as new
  }
}

/**
 * The check of one AVC request (ssid, tsid, tclass, requested): each a u32 and requested non-zero.
 * K security/selinux/avc.c avc_has_perm_noaudit treats requested 0 as a caller bug (WARN_ON, then
 * -EACCES; BUG_ON in older kernels); here it is an error too, never a grant of "nothing".
 * Returns undefined when the request is well-formed.
 */
export function requestError(api: string, ssid: unknown, tsid: unknown, tclass: unknown, requested: unknown): SvirtError | undefined {
  for (const [what, v] of [['ssid', ssid], ['tsid', tsid], ['tclass', tclass], ['requested', requested]] as const) {
    if (!isU32(v)) return badArgument(api, `${what} must be an integer in 0..2^32-1, got ${describeValue(v)}`);
  }
  if (requested === 0) return badArgument(api, 'requested permission mask is 0 (no permission asked for)');
  return undefined;
}
