/**
 * Plain-TS AVC baseline: the idiomatic way to cache decisions in a Node service — a JS Map keyed by
 * one number per (ssid, tsid, tclass), holding a small decision record. On a hit it does what the
 * Wasm AVC does (zero request denied uncounted, lookups++, permissive grant-once in permissive mode
 * or for a permissive domain); unlike typed-avc.ts it has no node pool, threshold or reclaim (a Map
 * grows without bound), so it is a baseline for the hit path, not an equivalent of the whole cache.
 * Keys need ssid, tsid < 2^21 and tclass < 2^11 (exact in a double).
 */
import type { ComputeFn } from './typed-avc.js';
import { D_ALLOWED, D_AUDITALLOW, D_AUDITDENY, D_FLAGS, D_SEQNO } from './typed-avc.js';

interface Entry {
  allowed: number;
  auditallow: number;
  auditdeny: number;
  seqno: number;
  flags: number;
}

const AVD_FLAGS_PERMISSIVE = 1;

export class MapAvc {
  private readonly map = new Map<number, Entry>();
  private readonly decision = new Uint32Array(5);
  enforcing = true;
  lookups = 0;
  misses = 0;

  constructor(private readonly compute: ComputeFn) {}

  static key(ssid: number, tsid: number, tclass: number): number {
    return (ssid * 2097152 + tsid) * 2048 + tclass;
  }

  insert(ssid: number, tsid: number, tclass: number, allowed: number, auditallow: number, auditdeny: number, seqno: number, flags: number): void {
    this.map.set(MapAvc.key(ssid, tsid, tclass), { allowed, auditallow, auditdeny, seqno, flags });
  }

  /** 1 granted, 0 denied */
  hasPerm(ssid: number, tsid: number, tclass: number, requested: number): number {
    if (requested === 0) return 0;
    this.lookups++;
    const e = this.map.get(MapAvc.key(ssid, tsid, tclass));
    if (e === undefined) return this.miss(ssid, tsid, tclass, requested);
    const missing = requested & ~e.allowed;
    if (missing !== 0 && ((e.flags | (this.enforcing ? 0 : 1)) & AVD_FLAGS_PERMISSIVE) !== 0) {
      e.allowed = (e.allowed | requested) >>> 0; // grant once
      return 1;
    }
    return missing === 0 ? 1 : 0;
  }

  private miss(ssid: number, tsid: number, tclass: number, requested: number): number {
    this.misses++;
    const d = this.decision;
    if (this.compute(ssid, tsid, tclass, requested, d) !== 0) return 0;
    const e: Entry = { allowed: d[D_ALLOWED]!, auditallow: d[D_AUDITALLOW]!, auditdeny: d[D_AUDITDENY]!, seqno: d[D_SEQNO]!, flags: d[D_FLAGS]! };
    this.map.set(MapAvc.key(ssid, tsid, tclass), e);
    if ((requested & ~e.allowed) === 0) return 1;
    if (this.enforcing && (e.flags & AVD_FLAGS_PERMISSIVE) === 0) return 0;
    e.allowed = (e.allowed | requested) >>> 0;
    return 1;
  }
}
