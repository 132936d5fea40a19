/**
 * Plain-TS AVC baseline #1: a JS Map keyed by one number per (ssid, tsid, tclass), holding the
 * allowed vector. The idiomatic way to cache decisions in a Node service; compared with the Wasm
 * AVC in bench/engine.bench.ts. Keys need ssid, tsid < 2^21 and tclass < 2^11 (exact in a double).
 */
export class MapAvc {
  private readonly map = new Map<number, number>();

  static key(ssid: number, tsid: number, tclass: number): number {
    return (ssid * 2097152 + tsid) * 2048 + tclass;
  }

  insert(ssid: number, tsid: number, tclass: number, allowed: number): void {
    this.map.set(MapAvc.key(ssid, tsid, tclass), allowed);
  }

  /** 1 granted, 0 denied, -1 miss */
  hasPerm(ssid: number, tsid: number, tclass: number, requested: number): number {
    const allowed = this.map.get(MapAvc.key(ssid, tsid, tclass));
    if (allowed === undefined) return -1;
    return (requested & ~allowed) === 0 ? 1 : 0;
  }
}
