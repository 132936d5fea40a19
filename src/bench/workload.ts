/**
 * The benchmark workload: an sVirt host (guests with unique MCS pairs, their images, host files, a
 * management domain) and a seeded stream of single-permission queries over it. Every peer answers
 * exactly this stream, each in its own representation prepared before timing.
 *
 * Query mix (per query, seeded, reproducible):
 *   guest subject (90%, all of them when the policy has no management domain):
 *     55% own image (file), 20% another guest's image (file), 10% a host file, 15% another guest's
 *     process (process class);
 *   management domain (10%): 70% a guest image, 30% a guest process.
 * Permissions are one bit each, drawn from FILE_PERMS / PROCESS_PERMS minus those the flattened
 * rules cannot model (see rules.ts: process transitions, constraints that bind this workload other
 * than the MCS one).
 *
 * Two shapes: `hit` keeps the distinct (ssid, tsid, tclass) triples few enough to stay in a 512-slot
 * AVC; `miss` spreads the stream over many guests so a small AVC misses on almost every query.
 */
import { benchError } from '../errors.js';
import { parseContext } from '../context/context.js';
import { McsAllocator, seededRng, type Rng } from '../label/mcs-alloc.js';
import { buildSymbolIndex, type ContextValue, type PolicyModel, type SymbolIndex } from '../policy/model.js';

export const GUEST_TYPE = 'svirt_t';
export const IMAGE_TYPE = 'svirt_image_t';
/** Management domains that act on guests, first one valid in the policy wins (libvirtd, else unconfined). */
export const MANAGER_CANDIDATES = ['system_u:system_r:virtd_t:s0-s0:c0.c1023', 'unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023'];
/** Host files guests must never reach; every valid one is used. */
export const HOST_FILE_CANDIDATES = [
  'system_u:object_r:etc_t:s0',
  'system_u:object_r:shadow_t:s0',
  'system_u:object_r:user_home_t:s0',
  'system_u:object_r:virt_etc_t:s0',
  'system_u:object_r:svirt_image_t:s0',
];
/** Permissions drawn for file and process queries (only those the class defines are used). */
export const FILE_PERMS = ['read', 'write', 'open', 'getattr', 'append', 'lock', 'ioctl'];
export const PROCESS_PERMS = ['signal', 'getattr', 'sigkill', 'ptrace'];

/** One security context of the workload, in every form the peers need. */
export interface BenchLabel {
  /** the context text as given (valid, canonical for the contexts built here) */
  readonly context: string;
  readonly value: ContextValue;
  readonly typeName: string;
  /** sensitivity value of the high level (1-based) */
  readonly sens: number;
  /** category indexes of the high level, ascending (bit i = category value i + 1) */
  readonly cats: readonly number[];
}

export interface BenchClass {
  readonly name: string;
  /** class value in the policy */
  readonly value: number;
  /** permission names by bit (the whole class) */
  readonly perms: readonly string[];
}

/** One query: indexes into Workload.labels / classes, and ONE permission bit of the class. */
export interface BenchQuery {
  readonly subj: number;
  readonly obj: number;
  readonly cls: number;
  readonly bit: number;
}

export type WorkloadShape = 'hit' | 'miss';

export interface Workload {
  readonly shape: WorkloadShape;
  readonly model: PolicyModel;
  readonly index: SymbolIndex;
  readonly labels: readonly BenchLabel[];
  readonly classes: readonly BenchClass[];
  readonly queries: readonly BenchQuery[];
  /** label indexes that appear as subjects */
  readonly subjects: readonly number[];
  readonly guests: number;
}

export interface WorkloadOptions {
  readonly shape: WorkloadShape;
  /** number of queries in the stream (default 4096) */
  readonly queries?: number;
  readonly seed?: number;
  /** guests (default: 8 for hit, 256 for miss) */
  readonly guests?: number;
  /**
   * permission bits per class index that must not be requested (from rules.ts `unmodeledPerms`);
   * computed by buildWorkload itself when absent
   */
  readonly exclude?: (w: WorkloadFrame) => readonly number[];
}

/** The labels and classes of a workload before its queries are drawn. */
export interface WorkloadFrame {
  readonly model: PolicyModel;
  readonly index: SymbolIndex;
  readonly labels: readonly BenchLabel[];
  readonly classes: readonly BenchClass[];
  readonly subjects: readonly number[];
}

function label(model: PolicyModel, index: SymbolIndex, context: string): BenchLabel {
  const value = parseContext(model, index, context);
  const typeName = model.types[value.type - 1]?.name ?? '';
  const high = value.range?.high;
  return { context, value, typeName, sens: high?.sens ?? 0, cats: high ? high.cats.toArray() : [] };
}

function tryLabel(model: PolicyModel, index: SymbolIndex, context: string): BenchLabel | undefined {
  try {
    return label(model, index, context);
  } catch {
    return undefined;
  }
}

/** The host: guests (process + image), host files, the management domain; and the two classes. */
export function buildFrame(model: PolicyModel, guests: number, seed: number): WorkloadFrame & { guestProc: number[]; guestImage: number[]; hostFiles: number[]; manager: number | undefined } {
  const index = buildSymbolIndex(model);
  if (!model.mls) throw benchError('workload', 'the policy is not MLS/MCS: the sVirt workload needs category pairs');
  for (const t of [GUEST_TYPE, IMAGE_TYPE]) {
    if (!index.types.has(t)) throw benchError('workload', `the policy has no type ${t}: the sVirt workload cannot be built`);
  }
  const labels: BenchLabel[] = [];
  const alloc = new McsAllocator(undefined, seededRng(seed ^ 0x9e3779b9));
  const guestProc: number[] = [];
  const guestImage: number[] = [];
  for (let g = 0; g < guests; g++) {
    const level = alloc.allocate();
    guestProc.push(labels.push(label(model, index, `system_u:system_r:${GUEST_TYPE}:${level}`)) - 1);
    guestImage.push(labels.push(label(model, index, `system_u:object_r:${IMAGE_TYPE}:${level}`)) - 1);
  }
  const hostFiles: number[] = [];
  for (const c of HOST_FILE_CANDIDATES) {
    const l = tryLabel(model, index, c);
    if (l) hostFiles.push(labels.push(l) - 1);
  }
  let manager: number | undefined;
  for (const c of MANAGER_CANDIDATES) {
    const l = tryLabel(model, index, c);
    if (l) {
      manager = labels.push(l) - 1;
      break;
    }
  }
  const classes: BenchClass[] = [];
  for (const name of ['file', 'process']) {
    const def = index.classes.get(name);
    if (!def) throw benchError('workload', `the policy has no class ${name}`);
    classes.push({ name, value: def.value, perms: def.perms });
  }
  const subjects = manager === undefined ? [...guestProc] : [...guestProc, manager];
  return { model, index, labels, classes, subjects, guestProc, guestImage, hostFiles, manager };
}

function pick<T>(rng: Rng, list: readonly T[]): T {
  const v = list[Math.floor(rng() * list.length)];
  if (v === undefined) throw benchError('workload', 'empty choice list');
  return v;
}

/** A uniform index in [0, n) other than `not` (n >= 2). */
function otherIndex(rng: Rng, n: number, not: number): number {
  return (not + 1 + Math.floor(rng() * (n - 1))) % n;
}

/** Build the workload: frame, then `queries` seeded queries over permissions the peers can model. */
export function buildWorkload(model: PolicyModel, options: WorkloadOptions): Workload {
  const guests = options.guests ?? (options.shape === 'hit' ? 8 : 256);
  if (guests < 2) throw benchError('workload', 'the workload needs at least 2 guests');
  const seed = options.seed ?? 0x5eed;
  const n = options.queries ?? 4096;
  const f = buildFrame(model, guests, seed);
  const excluded = options.exclude ? options.exclude(f) : f.classes.map(() => 0);
  const permBits = (cls: number, names: readonly string[]): number[] => {
    const c = f.classes[cls]!;
    const bits: number[] = [];
    for (const p of names) {
      const bit = c.perms.indexOf(p);
      if (bit >= 0 && (((excluded[cls] ?? 0) >>> bit) & 1) === 0) bits.push(bit);
    }
    return bits;
  };
  const fileBits = permBits(0, FILE_PERMS);
  const procBits = permBits(1, PROCESS_PERMS);
  if (fileBits.length === 0) throw benchError('workload', 'no file permission of the workload can be modelled for this policy');
  const rng = seededRng(seed);
  const queries: BenchQuery[] = [];
  const file = (subj: number, obj: number): BenchQuery => ({ subj, obj, cls: 0, bit: pick(rng, fileBits) });
  const proc = (subj: number, obj: number): BenchQuery => (procBits.length > 0 ? { subj, obj, cls: 1, bit: pick(rng, procBits) } : file(subj, obj));
  for (let i = 0; i < n; i++) {
    const r = rng();
    if (f.manager !== undefined && r < 0.1) {
      queries.push(rng() < 0.7 ? file(f.manager, pick(rng, f.guestImage)) : proc(f.manager, pick(rng, f.guestProc)));
      continue;
    }
    const g = Math.floor(rng() * guests);
    const subj = f.guestProc[g]!;
    const u = rng();
    if (u < 0.55) queries.push(file(subj, f.guestImage[g]!));
    else if (u < 0.75) queries.push(file(subj, f.guestImage[otherIndex(rng, guests, g)]!));
    else if (u < 0.85 && f.hostFiles.length > 0) queries.push(file(subj, pick(rng, f.hostFiles)));
    else queries.push(proc(subj, f.guestProc[otherIndex(rng, guests, g)]!));
  }
  return { shape: options.shape, model, index: f.index, labels: f.labels, classes: f.classes, queries, subjects: f.subjects, guests };
}

/** `SCON TCON CLASS PERM`, as the libsepol harness and error messages print a query. */
export function describeQuery(w: Pick<Workload, 'labels' | 'classes'>, q: BenchQuery): string {
  const c = w.classes[q.cls]!;
  return `${w.labels[q.subj]!.context} ${w.labels[q.obj]!.context} ${c.name} ${c.perms[q.bit] ?? `bit${q.bit}`}`;
}

/** Number of distinct (subject, object, class) triples: the AVC entries the stream needs. */
export function distinctTriples(w: Pick<Workload, 'queries'>): number {
  const s = new Set<string>();
  for (const q of w.queries) s.add(`${q.subj}:${q.obj}:${q.cls}`);
  return s.size;
}

/** The workload's queries as the four u32 arrays of a batch check; `sidOf(label index)` maps labels to SIDs. */
export interface QueryArrays {
  readonly ssid: Uint32Array;
  readonly tsid: Uint32Array;
  readonly tclass: Uint32Array;
  readonly req: Uint32Array;
}

export function queryArrays(w: Pick<Workload, 'queries' | 'classes'>, sidOf: (label: number) => number): QueryArrays {
  const n = w.queries.length;
  const ssid = new Uint32Array(n);
  const tsid = new Uint32Array(n);
  const tclass = new Uint32Array(n);
  const req = new Uint32Array(n);
  w.queries.forEach((q, i) => {
    ssid[i] = sidOf(q.subj);
    tsid[i] = sidOf(q.obj);
    tclass[i] = w.classes[q.cls]!.value;
    req[i] = (1 << q.bit) >>> 0;
  });
  return { ssid, tsid, tclass, req };
}
