/**
 * Operation rings: each lane's operation stream, generated inside the worker that runs the lane,
 * from the lane's RingPlan, when the lane first runs there. The ring is a pure function of the plan
 * (seed, lane, length, the lane's slice of guests, the mix): a respawned worker, or one helping
 * another lane at the end of an --ops run, generates the very same ring.
 *
 * Stream of lane l = its ring repeated: operation k of the lane is ring[k mod R]. A chunk names
 * the ring position where it starts, so a chunk's operations are a pure function of
 * (seed, lane, ring length, chunk) — a seeded --ops run is reproducible and a lost chunk re-runs
 * identically.
 *
 * Per operation the ring holds the four engine arguments (ssid, tsid, tclass, requested; copied
 * once into the engine's memory, ring-port.ts) and what judging needs: the variant
 * (decision counter), the heatmap cell, the want code, and the attacker and target ids for
 * itemised anomalies. 31 bytes per operation.
 *
 * Operation mix (per operation, from 16-bit draws):
 *   host   (sel < hostBelow):   a host object (e.g. /etc/shadow, a file in /home), a file operation
 *   other  (sel < attackBelow): another guest, uniformly over ALL guests: its process (signal, ptrace)
 *                               with probability processBelow/256, else one of its images
 *   own    (otherwise):         one of the guest's own images, an operation of the image's class
 * The guest making the operation is uniform over the lane's slice of guests.
 */
import { simError } from '../errors.js';
import { type OpCatalog, type SharedWorld, SCOPE_HOST, SCOPE_OTHER, SCOPE_OWN, WANT_ANY, WANT_DENIED, heatColumns } from './layout.js';
import { Sfc32, streamKey } from './prng.js';

/**
 * `want` code of an own-image operation: the verdict looks the answer up in the expectation table
 * of the chunk's boolean generation (world.expect), since a boolean flip changes it mid-run.
 */
export const WANT_OWN = 3;

/** One lane's ring; every array has `length` entries. */
export interface OpRing {
  readonly lane: number;
  readonly length: number;
  readonly ssid: Uint32Array;
  readonly tsid: Uint32Array;
  readonly tclass: Uint32Array;
  readonly requested: Uint32Array;
  /** variant index (layout.ts variantIndex) */
  readonly variant: Uint32Array;
  /** heatmap cell: attacker bin · columns + target column */
  readonly cell: Uint16Array;
  /** WANT_DENIED, WANT_ANY or WANT_OWN */
  readonly want: Uint8Array;
  readonly attacker: Uint32Array;
  /** object id (layout.ts id space) */
  readonly target: Uint32Array;
}

export interface RingPlan {
  readonly seed: number;
  readonly lane: number;
  readonly length: number;
  /** this lane's guests: [sliceStart, sliceStart + sliceLen) */
  readonly sliceStart: number;
  readonly sliceLen: number;
  /** attack thresholds on a 16-bit draw: sel < hostBelow → host, sel < attackBelow → other guest */
  readonly hostBelow: number;
  readonly attackBelow: number;
  /** share (of 256) of other-guest attacks aimed at the guest's process instead of its images */
  readonly processBelow: number;
}

export function buildRing(world: SharedWorld, catalog: OpCatalog, plan: RingPlan): OpRing {
  const G = world.guests;
  const I = world.imagesPerGuest;
  const H = world.hostObjects;
  const S = world.subjTypes;
  const O = world.objTypes;
  const P = catalog.ops.length;
  const cols = heatColumns(world);
  if (world.bins * cols > 0xffff) throw simError(`heatmap of ${world.bins}×${cols} cells does not fit the ring's 16-bit cell index`);
  if (plan.sliceLen < 1) throw simError(`lane ${plan.lane} has no guests`);
  const R = plan.length;
  const ring: OpRing = {
    lane: plan.lane,
    length: R,
    ssid: new Uint32Array(R),
    tsid: new Uint32Array(R),
    tclass: new Uint32Array(R),
    requested: new Uint32Array(R),
    variant: new Uint32Array(R),
    cell: new Uint16Array(R),
    want: new Uint8Array(R),
    attacker: new Uint32Array(R),
    target: new Uint32Array(R),
  };
  const { ssid, tsid, tclass, requested, variant, cell, want, attacker, target } = ring;
  const { guestSid, guestSubjT, guestObjT, guestBin, imageSid, imageCls, imageObjT, hostSid, hostCls, hostObjT } = world;
  const classValue = Uint32Array.from(catalog.classes, (c) => c.value);
  const opCls = Uint8Array.from(catalog.ops, (o) => o.cls);
  const opMask = Uint32Array.from(catalog.ops, (o) => o.mask);
  const opSensitive = Uint8Array.from(catalog.ops, (o) => (o.sensitive ? 1 : 0));
  const opsByClass = catalog.opsByClass.map((l) => Uint8Array.from(l));
  const processOps = Uint8Array.from(catalog.processOps);
  const rng = new Sfc32(streamKey(plan.seed, plan.lane));
  const { sliceStart, sliceLen, hostBelow, attackBelow, processBelow } = plan;
  /** operation i is `op` by a guest of subject type `subjT` on object `id` (SID, object type) in `scope` */
  const put = (i: number, scope: number, subjT: number, id: number, sid: number, objT: number, op: number, w: number): void => {
    tsid[i] = sid;
    tclass[i] = classValue[opCls[op]!]!;
    requested[i] = opMask[op]!;
    want[i] = w;
    variant[i] = ((scope * S + subjT) * O + objT) * P + op;
    target[i] = id;
  };
  /** what the verdict wants for a cross-boundary operation: denied when sensitive, else anything */
  const crossWant = (op: number): number => (opSensitive[op] === 1 ? WANT_DENIED : WANT_ANY);
  /** an operation picked from `ops` by an 8-bit draw */
  const pick = (ops: Uint8Array, b: number): number => ops[(b * ops.length) >>> 8]!;

  for (let i = 0; i < R; i++) {
    const g = sliceStart + rng.below(sliceLen);
    // one 32-bit draw decides the rest: bits 0-15 scope, 16-23 image/object, 24-31 operation
    // (8-bit multiply-high picks: frequency bias below len/256, irrelevant for a workload mix)
    const r = rng.next();
    const sel = r & 0xffff;
    const b2 = (r >>> 16) & 0xff;
    const b3 = r >>> 24;
    const subjT = guestSubjT[g]!;
    ssid[i] = guestSid[g]!;
    attacker[i] = g;
    if (sel >= attackBelow || (sel >= hostBelow && G < 2)) {
      // own image
      const img = g * I + ((b2 * I) >>> 8);
      put(i, SCOPE_OWN, subjT, img, imageSid[img]!, imageObjT[img]!, pick(opsByClass[imageCls[img]!]!, b3), WANT_OWN);
      cell[i] = guestBin[g]! * cols + guestBin[g]!;
    } else if (sel >= hostBelow) {
      // another guest, uniform over all guests but g
      const r2 = rng.next();
      let h = Math.floor(((r2 >>> 8) * (G - 1)) / 16777216);
      if (h >= g) h++;
      if ((r2 & 0xff) < processBelow && processOps.length > 0) {
        const op = pick(processOps, b3);
        put(i, SCOPE_OTHER, subjT, G * I + H + h, guestSid[h]!, guestObjT[h]!, op, crossWant(op));
      } else {
        const img = h * I + ((b2 * I) >>> 8);
        const op = pick(opsByClass[imageCls[img]!]!, b3);
        put(i, SCOPE_OTHER, subjT, img, imageSid[img]!, imageObjT[img]!, op, crossWant(op));
      }
      cell[i] = guestBin[g]! * cols + guestBin[h]!;
    } else {
      // host object
      const x = (b2 * H) >>> 8;
      const op = pick(opsByClass[hostCls[x]!]!, b3);
      put(i, SCOPE_HOST, subjT, G * I + x, hostSid[x]!, hostObjT[x]!, op, crossWant(op));
      cell[i] = guestBin[g]! * cols + world.bins + x;
    }
  }
  return ring;
}
