/**
 * The simulated host, built once on the main thread: guests with their process and image labels
 * (pairs from the label manager's McsAllocator, or read from a real host state), host objects, the
 * SIDs of all of them, the operation catalogue, and the expectation table for own-image access.
 * The result is published to workers as SharedArrayBuffer-backed typed arrays (layout.ts).
 */
import { simError } from '../errors.js';
import { McsAllocator, seededRng } from '../label/mcs-alloc.js';
import type { SecurityServer } from '../types.js';
import type { ClassRef, OpCatalog, OpDef, SharedWorld } from './layout.js';

/** Default contexts (refpolicy appconfig-mcs virtual_domain_context / virtual_image_context). */
export const GUEST_BASE = 'system_u:system_r:svirt_t';
export const IMAGE_BASE = 'system_u:object_r:svirt_image_t';

/** Operations on files and block devices (one permission each; see layout.ts OpDef.sensitive). */
export const FILE_OPS = ['open', 'read', 'write', 'getattr', 'ioctl', 'lock', 'append', 'unlink', 'execute'] as const;
/** Operations between guest processes. */
export const PROCESS_OPS = ['signal', 'ptrace'] as const;
/** Permissions that are not an access to the object's content or control (never a breach). */
export const NON_SENSITIVE = new Set(['getattr']);

/**
 * Host objects a guest must never touch, first usable candidate per path wins (a candidate is
 * usable when its type and the context are valid in the loaded policy).
 */
export const HOST_CANDIDATES: ReadonlyArray<{ path: string; contexts: readonly string[]; cls: string }> = [
  // /etc/shadow only where the policy has shadow_t: plain etc_t is readable by design (guests, like
  // every nsswitch domain, read /etc configuration), so it would not be a secret host file
  { path: '/etc/shadow', contexts: ['system_u:object_r:shadow_t:s0'], cls: 'file' },
  { path: '/home/alice/.ssh/id_ed25519', contexts: ['system_u:object_r:user_home_t:s0', 'unconfined_u:object_r:user_home_t:s0'], cls: 'file' },
  // a disk image at rest (not attached to a running guest): only libvirtd may touch it
  { path: '/var/lib/libvirt/images/stopped.qcow2', contexts: ['system_u:object_r:virt_image_t:s0'], cls: 'file' },
];

/** One guest as the simulator sees it. */
export interface GuestSpec {
  readonly name: string;
  /** process context */
  readonly process: string;
  /** image contexts (exactly imagesPerGuest of them) */
  readonly images: readonly string[];
  /** image paths, parallel to images */
  readonly paths: readonly string[];
}

export interface HostObjectSpec {
  readonly path: string;
  readonly context: string;
  readonly cls: string;
}

/** The world in main-thread form: shared arrays plus the names reports need. */
export interface World {
  readonly shared: SharedWorld;
  readonly catalog: OpCatalog;
  readonly guests: readonly GuestSpec[];
  readonly hosts: readonly HostObjectSpec[];
  /** type names behind subject type indexes */
  readonly subjTypeNames: readonly string[];
  /** type names behind object type indexes */
  readonly objTypeNames: readonly string[];
  /** boolean generations the expectation table covers (index = boolGen) */
  readonly boolGenerations: readonly Readonly<Record<string, boolean>>[];
}

/** Guests labelled the libvirt way: one allocator pair per guest for its process and all its images. */
export function allocateGuests(count: number, imagesPerGuest: number, seed: number): GuestSpec[] {
  const alloc = new McsAllocator(undefined, seededRng(seed ^ 0x5eed));
  if (count > alloc.total) throw simError(`--guests ${count}: the MCS pool has only ${alloc.total} category pairs`);
  const guests: GuestSpec[] = [];
  for (let g = 0; g < count; g++) {
    const level = alloc.allocate();
    const images: string[] = [];
    const paths: string[] = [];
    for (let k = 0; k < imagesPerGuest; k++) {
      images.push(`${IMAGE_BASE}:${level}`);
      paths.push(k % 2 === 0 ? `/var/lib/libvirt/images/guest${g}-disk${k}.qcow2` : `/dev/vg0/guest${g}-disk${k}`);
    }
    guests.push({ name: `guest${g}`, process: `${GUEST_BASE}:${level}`, images, paths });
  }
  return guests;
}

function sab<T extends Uint8Array | Uint16Array | Uint32Array>(Ctor: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, n: number): T {
  return new Ctor(new SharedArrayBuffer(Math.max(1, n) * Ctor.BYTES_PER_ELEMENT));
}

/** The operation catalogue from the policy's classes: only permissions the policy defines. */
export function buildCatalog(server: SecurityServer): OpCatalog {
  const classes: ClassRef[] = [];
  const ops: OpDef[] = [];
  const opsByClass: number[][] = [];
  const byName = new Map<string, number>();
  const addClass = (name: string, perms: readonly string[]): number | undefined => {
    const def = server.model.classes.find((c) => c.name === name);
    if (!def) return undefined;
    const idx = classes.length;
    classes.push({ name, value: def.value });
    byName.set(name, idx);
    const list: number[] = [];
    for (const perm of perms) {
      if (!def.perms.includes(perm)) continue;
      list.push(ops.length);
      ops.push({ perm, cls: idx, mask: server.permMask(def.value, [perm]), sensitive: !NON_SENSITIVE.has(perm) });
    }
    opsByClass.push(list);
    return idx;
  };
  if (addClass('file', FILE_OPS) === undefined) throw simError('the policy has no "file" class: nothing to simulate');
  addClass('blk_file', FILE_OPS);
  const proc = addClass('process', PROCESS_OPS);
  if (ops.length > 255) throw simError('too many operation kinds');
  return { classes, ops, opsByClass, processOps: proc === undefined ? [] : opsByClass[proc]! };
}

function typeOf(context: string): string {
  return context.split(':')[2] ?? '';
}

/** Host objects whose contexts the policy accepts (first valid candidate per path). */
export function resolveHosts(server: SecurityServer, catalog: OpCatalog): HostObjectSpec[] {
  const hosts: HostObjectSpec[] = [];
  for (const cand of HOST_CANDIDATES) {
    if (!catalog.classes.some((c) => c.name === cand.cls)) continue;
    for (const context of cand.contexts) {
      try {
        server.contextToSid(context);
        hosts.push({ path: cand.path, context, cls: cand.cls });
        break;
      } catch {
        // not valid in this policy: try the next candidate
      }
    }
  }
  if (hosts.length === 0) throw simError('no host object context (shadow_t, user_home_t, virt_image_t) is valid in the policy');
  return hosts;
}

export interface BuildWorldOptions {
  /** boolean overrides per generation (generation 0 = the run's starting state) */
  readonly boolGenerations: readonly Readonly<Record<string, boolean>>[];
}

/**
 * Intern every context, build the shared arrays and the expectation table. Expectations come
 * from the security server (`computeAv`, no AVC), once per distinct (guest SID, image SID, class)
 * and boolean generation.
 */
export function buildWorld(server: SecurityServer, guests: readonly GuestSpec[], options: BuildWorldOptions): World {
  const G = guests.length;
  if (G < 1) throw simError('the simulation needs at least one guest');
  const I = guests[0]!.images.length;
  if (I < 1 || guests.some((g) => g.images.length !== I)) throw simError('every guest needs the same number (≥ 1) of images');
  const catalog = buildCatalog(server);
  const hosts = resolveHosts(server, catalog);
  const H = hosts.length;
  const clsIndex = (name: string): number => {
    const i = catalog.classes.findIndex((c) => c.name === name);
    if (i < 0) throw simError(`class ${name} missing from the catalogue`);
    return i;
  };
  const fileCls = clsIndex('file');
  const blkCls = catalog.classes.findIndex((c) => c.name === 'blk_file');

  const subjNames: string[] = [];
  const objNames: string[] = [];
  const index = (list: string[], name: string): number => {
    let i = list.indexOf(name);
    if (i < 0) {
      i = list.length;
      list.push(name);
      if (i > 255) throw simError('more than 256 distinct types among guests and objects');
    }
    return i;
  };

  const bins = Math.min(G, 48);
  const shared: SharedWorld = {
    guests: G,
    imagesPerGuest: I,
    hostObjects: H,
    guestSid: sab(Uint32Array, G),
    guestSubjT: sab(Uint8Array, G),
    guestObjT: sab(Uint8Array, G),
    guestBin: sab(Uint16Array, G),
    imageSid: sab(Uint32Array, G * I),
    imageCls: sab(Uint8Array, G * I),
    imageObjT: sab(Uint8Array, G * I),
    hostSid: sab(Uint32Array, H),
    hostCls: sab(Uint8Array, H),
    hostObjT: sab(Uint8Array, H),
    expect: sab(Uint32Array, options.boolGenerations.length * G * I),
    subjTypes: 0,
    objTypes: 0,
    bins,
  };
  const sidCache = new Map<string, number>();
  const sid = (context: string): number => {
    let s = sidCache.get(context);
    if (s === undefined) {
      s = server.contextToSid(context);
      sidCache.set(context, s);
    }
    return s;
  };
  for (let g = 0; g < G; g++) {
    const spec = guests[g]!;
    shared.guestSid[g] = sid(spec.process);
    shared.guestSubjT[g] = index(subjNames, typeOf(spec.process));
    shared.guestObjT[g] = index(objNames, typeOf(spec.process));
    shared.guestBin[g] = Math.floor((g * bins) / G);
    for (let k = 0; k < I; k++) {
      const img = g * I + k;
      shared.imageSid[img] = sid(spec.images[k]!);
      shared.imageCls[img] = k % 2 === 1 && blkCls >= 0 ? blkCls : fileCls;
      shared.imageObjT[img] = index(objNames, typeOf(spec.images[k]!));
    }
  }
  for (let x = 0; x < H; x++) {
    shared.hostSid[x] = sid(hosts[x]!.context);
    shared.hostCls[x] = clsIndex(hosts[x]!.cls);
    shared.hostObjT[x] = index(objNames, typeOf(hosts[x]!.context));
  }
  sidCache.clear();
  const world: World = {
    shared: { ...shared, subjTypes: subjNames.length, objTypes: objNames.length },
    catalog,
    guests,
    hosts,
    subjTypeNames: subjNames,
    objTypeNames: objNames,
    boolGenerations: options.boolGenerations,
  };
  fillExpectations(server, world);
  return world;
}

/** expect[gen·G·I + img] = allowed permissions of the owner on image img under generation gen. */
function fillExpectations(server: SecurityServer, world: World): void {
  const { guests: G, imagesPerGuest: I } = world.shared;
  const original = new Map<string, boolean>();
  for (let gen = 0; gen < world.boolGenerations.length; gen++) {
    for (const [name, value] of Object.entries(world.boolGenerations[gen]!)) {
      if (!original.has(name)) original.set(name, server.getBoolean(name));
      server.setBoolean(name, value);
    }
    const cache = new Map<string, number>();
    for (let img = 0; img < G * I; img++) {
      const g = Math.floor(img / I);
      const ssid = world.shared.guestSid[g]!;
      const tsid = world.shared.imageSid[img]!;
      const cls = world.catalog.classes[world.shared.imageCls[img]!]!.value;
      const key = `${ssid},${tsid},${cls}`;
      let allowed = cache.get(key);
      if (allowed === undefined) {
        allowed = server.computeAv(ssid, tsid, cls).allowed >>> 0;
        cache.set(key, allowed);
      }
      world.shared.expect[gen * G * I + img] = allowed;
    }
  }
  for (const [name, value] of original) server.setBoolean(name, value);
}
