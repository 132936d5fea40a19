/**
 * Plain-TS AVC baseline #2: the same structure as the Wasm AVC (assembly/avc.ts) in typed arrays —
 * power-of-two slots of chain heads, a flat node array, the same slot hash — so the comparison
 * isolates Wasm vs JIT-compiled JS for identical work.
 */
const NODE_WORDS = 5; // ssid, tsid, tclass, allowed, next (index + 1)

export class TypedAvc {
  private readonly slots: Uint32Array;
  private readonly nodes: Uint32Array;
  private readonly mask: number;
  private used = 0;

  constructor(slots: number, capacity: number) {
    this.slots = new Uint32Array(slots);
    this.nodes = new Uint32Array(capacity * NODE_WORDS);
    this.mask = slots - 1;
  }

  insert(ssid: number, tsid: number, tclass: number, allowed: number): void {
    const h = (ssid ^ (tsid << 2) ^ (tclass << 4)) & this.mask;
    const i = this.used++;
    const p = i * NODE_WORDS;
    this.nodes[p] = ssid;
    this.nodes[p + 1] = tsid;
    this.nodes[p + 2] = tclass;
    this.nodes[p + 3] = allowed;
    this.nodes[p + 4] = this.slots[h]!;
    this.slots[h] = i + 1;
  }

  /** 1 granted, 0 denied, -1 miss; the same slot hash as the Wasm AVC (K avc_hash ≤ v6.18) */
  hasPerm(ssid: number, tsid: number, tclass: number, requested: number): number {
    const h = ssid ^ (tsid << 2) ^ (tclass << 4);
    const nodes = this.nodes;
    let n = this.slots[h & this.mask]!;
    while (n !== 0) {
      const p = (n - 1) * NODE_WORDS;
      if (nodes[p] === ssid && nodes[p + 2] === tclass && nodes[p + 1] === tsid) return (requested & ~nodes[p + 3]!) === 0 ? 1 : 0;
      n = nodes[p + 4]!;
    }
    return -1;
  }
}
