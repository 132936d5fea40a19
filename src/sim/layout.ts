/**
 * The shared shape of a simulation, as the main thread builds it and every worker reads it.
 *
 * Everything a worker needs to generate and judge operations travels ONCE, in `workerData`:
 * typed arrays over SharedArrayBuffers (SIDs, type indexes, expectations) plus a small plain-object
 * operation catalogue. Tasks then carry only numbers (lane, chunk, generation).
 *
 * Object id space (u32), used in breach and audit samples:
 *   [0, G·I)            guest images, image k of guest g has id g·I + k
 *   [G·I, G·I + H)      host objects
 *   [G·I + H, G·I+H+G)  guest processes (targets of signal / ptrace)
 */

/** Where an operation is aimed, relative to the guest that makes it. */
export const SCOPE_OWN = 0;
export const SCOPE_OTHER = 1;
export const SCOPE_HOST = 2;
export const SCOPES = ['own', 'other', 'host'] as const;
export type ScopeName = (typeof SCOPES)[number];

/** `want` codes: what the verdict expects of one operation. */
export const WANT_DENIED = 0;
export const WANT_ALLOWED = 1;
/** not judged: a non-sensitive cross-boundary operation (getattr — not MCS-constrained in refpolicy) */
export const WANT_ANY = 2;

/** One kind of operation: a single permission of one class. */
export interface OpDef {
  /** e.g. `read` */
  readonly perm: string;
  /** index into `OpCatalog.classes` */
  readonly cls: number;
  /** permission mask within the class (one bit) */
  readonly mask: number;
  /**
   * A sensitive operation reads, changes or controls the object. Allowing one across a guest
   * boundary is a breach. `getattr` (stat) is not sensitive: refpolicy's MCS constraints leave it
   * out on purpose (docs/selinux-semantics.md), so cross-guest getattr is counted
   * and reported but never a breach.
   */
  readonly sensitive: boolean;
}

export interface ClassRef {
  readonly name: string;
  readonly value: number;
}

export interface OpCatalog {
  readonly classes: readonly ClassRef[];
  readonly ops: readonly OpDef[];
  /** op indexes usable on an object of class index c */
  readonly opsByClass: readonly (readonly number[])[];
  /** op indexes aimed at another guest's process (signal, ptrace) */
  readonly processOps: readonly number[];
}

/** The typed arrays of a world; each `buffer` is a SharedArrayBuffer on the way to workers. */
export interface SharedWorld {
  readonly guests: number;
  readonly imagesPerGuest: number;
  readonly hostObjects: number;
  /** process SID of each guest */
  readonly guestSid: Uint32Array;
  /** index into `subjTypes` for each guest (as a subject) */
  readonly guestSubjT: Uint8Array;
  /** index into `objTypes` for each guest process (as a target of signal/ptrace) */
  readonly guestObjT: Uint8Array;
  /** heatmap row/column bin of each guest */
  readonly guestBin: Uint16Array;
  readonly imageSid: Uint32Array;
  /** class index (into the catalogue) of each image: file (qcow2/raw file) or blk_file (LVM/device) */
  readonly imageCls: Uint8Array;
  readonly imageObjT: Uint8Array;
  readonly hostSid: Uint32Array;
  readonly hostCls: Uint8Array;
  readonly hostObjT: Uint8Array;
  /**
   * expect[gen·G·I + img]: the permissions the policy (security server, no AVC) allows the owning
   * guest on its own image img under boolean generation gen.
   */
  readonly expect: Uint32Array;
  /** number of type indexes, for the variant table */
  readonly subjTypes: number;
  readonly objTypes: number;
  /** heatmap bins per axis (≤ 64) */
  readonly bins: number;
}

/** Variant = (scope, subject type, object type, op): the unit of the decision counters. */
export function variantCount(w: Pick<SharedWorld, 'subjTypes' | 'objTypes'>, ops: number): number {
  return SCOPES.length * w.subjTypes * w.objTypes * ops;
}

export function variantIndex(scope: number, subjT: number, objT: number, op: number, subjTypes: number, objTypes: number, ops: number): number {
  return ((scope * subjTypes + subjT) * objTypes + objT) * ops + op;
}

export function decodeVariant(v: number, subjTypes: number, objTypes: number, ops: number): { scope: number; subjT: number; objT: number; op: number } {
  const op = v % ops;
  let rest = (v - op) / ops;
  const objT = rest % objTypes;
  rest = (rest - objT) / objTypes;
  const subjT = rest % subjTypes;
  const scope = (rest - subjT) / subjTypes;
  return { scope, subjT, objT, op };
}

/** heatmap columns: guest bins, then one column per host object */
export function heatColumns(w: Pick<SharedWorld, 'bins' | 'hostObjects'>): number {
  return w.bins + w.hostObjects;
}

/** Kind and index of an object id (see the id space above). */
export function decodeObject(id: number, w: Pick<SharedWorld, 'guests' | 'imagesPerGuest' | 'hostObjects'>):
  | { kind: 'image'; guest: number; image: number }
  | { kind: 'host'; index: number }
  | { kind: 'process'; guest: number } {
  const images = w.guests * w.imagesPerGuest;
  if (id < images) return { kind: 'image', guest: Math.floor(id / w.imagesPerGuest), image: id % w.imagesPerGuest };
  if (id < images + w.hostObjects) return { kind: 'host', index: id - images };
  return { kind: 'process', guest: id - images - w.hostObjects };
}
