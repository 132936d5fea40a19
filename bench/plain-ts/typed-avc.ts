/**
 * Plain-TS AVC peer: the Wasm AVC (assembly/avc.ts) re-done in JIT-compiled TypeScript over typed
 * arrays, doing the SAME work so the benchmark isolates Wasm vs JS for identical semantics:
 *  - the same geometry and hash as the Wasm AVC's default: `slots` (power of two) chain heads,
 *    (ssid ^ tsid << 2 ^ tclass << 4) & mask (K avc_hash through v6.18), a preallocated pool of
 *    threshold + 2 nodes with a free list;
 *  - the same node contents (key, allowed, flags, seqno, auditallow, auditdeny, next) in 10 u32
 *    words (the Wasm node packs tclass and flags as u16 into 32 bytes) and the same next-pointer
 *    scheme (0 = end; a node is named by its first word's index, and the pool starts at word
 *    NODE_WORDS so no node is 0);
 *  - the same stats (lookups, misses, allocations, reclaims, frees; a hit only counts a lookup);
 *  - the same rules: requested 0 denied uncounted; avc_alloc_node reclaim past the threshold;
 *    insert refused for a seqno < latest_notif; replace in place; grant-once (avc_update_node) for
 *    a denial in permissive mode or for a permissive domain; avc_ss_reset.
 * A miss asks `compute` (the security server) for the decision, as the Wasm AVC calls compute_av.
 * What JS cannot do like Wasm is compare (ssid, tsid) with one 64-bit load: it compares two words.
 */
const NODE_WORDS = 10;
const N_SSID = 0;
const N_TSID = 1;
const N_TCLASS = 2;
const N_NEXT = 3;
const N_ALLOWED = 4;
const N_FLAGS = 5;
const N_SEQNO = 6;
const N_AUDITALLOW = 7;
const N_AUDITDENY = 8;
const AVD_FLAGS_PERMISSIVE = 1;

/** compute_av result slots in the `decision` array handed to `compute` */
export const D_ALLOWED = 0;
export const D_AUDITALLOW = 1;
export const D_AUDITDENY = 2;
export const D_SEQNO = 3;
export const D_FLAGS = 4;

/** Fills `decision` (D_* slots) for the key; returns 0 when decided by the policy, else a failure status. */
export type ComputeFn = (ssid: number, tsid: number, tclass: number, requested: number, decision: Uint32Array) => number;

export class TypedAvc {
  private readonly slots: Uint32Array;
  private readonly nodes: Uint32Array;
  private readonly mask: number;
  private readonly threshold: number;
  private readonly reclaimBatch: number;
  private readonly decision = new Uint32Array(5);
  private freeHead: number;
  private activeNodes = 0;
  private lruHint = 0;
  private latestNotif = 0;
  enforcing = true;
  lookups = 0;
  misses = 0;
  allocations = 0;
  reclaims = 0;
  frees = 0;

  constructor(private readonly compute: ComputeFn, slots = 512, threshold = 512, reclaim = 16) {
    this.slots = new Uint32Array(slots);
    this.mask = slots - 1;
    this.threshold = threshold;
    this.reclaimBatch = reclaim;
    const cap = threshold + 2;
    this.nodes = new Uint32Array((cap + 1) * NODE_WORDS);
    for (let i = 1; i <= cap; i++) this.nodes[i * NODE_WORDS + N_NEXT] = i < cap ? (i + 1) * NODE_WORDS : 0;
    this.freeHead = NODE_WORDS;
  }

  /** K avc_has_perm_noaudit: 1 granted, 0 denied */
  hasPerm(ssid: number, tsid: number, tclass: number, requested: number): number {
    if (requested === 0) return 0;
    this.lookups++;
    const nodes = this.nodes;
    let p = this.slots[(ssid ^ (tsid << 2) ^ (tclass << 4)) & this.mask]!;
    while (p !== 0 && (nodes[p + N_SSID] !== ssid || nodes[p + N_TSID] !== tsid || nodes[p + N_TCLASS] !== tclass)) p = nodes[p + N_NEXT]!;
    if (p === 0) return this.miss(ssid, tsid, tclass, requested);
    const missing = requested & ~nodes[p + N_ALLOWED]!;
    if (missing !== 0 && ((nodes[p + N_FLAGS]! | (this.enforcing ? 0 : 1)) & AVD_FLAGS_PERMISSIVE) !== 0) {
      this.updateGrant(ssid, tsid, tclass, requested, nodes[p + N_SEQNO]!);
      return 1;
    }
    return missing === 0 ? 1 : 0;
  }

  /**
   * hasPerm over the first n entries of the arrays: out[i] = 1 granted, 0 denied. Specialised like
   * the Wasm avcCheckBatch: arrays, mask and mode hoisted into locals, lookups counted locally.
   */
  checkBatch(ssid: Uint32Array, tsid: Uint32Array, tclass: Uint32Array, requested: Uint32Array, out: Uint8Array, n: number): void {
    const nodes = this.nodes;
    const slots = this.slots;
    const mask = this.mask;
    const soft = this.enforcing ? 0 : 1;
    let lookups = 0;
    for (let i = 0; i < n; i++) {
      const s = ssid[i]!, t = tsid[i]!, c = tclass[i]!, r = requested[i]!;
      let res = 0;
      if (r !== 0) {
        lookups++;
        let p = slots[(s ^ (t << 2) ^ (c << 4)) & mask]!;
        while (p !== 0 && (nodes[p + N_SSID] !== s || nodes[p + N_TSID] !== t || nodes[p + N_TCLASS] !== c)) p = nodes[p + N_NEXT]!;
        if (p === 0) {
          res = this.miss(s, t, c, r);
        } else {
          const missing = r & ~nodes[p + N_ALLOWED]!;
          if (missing !== 0 && ((nodes[p + N_FLAGS]! | soft) & AVD_FLAGS_PERMISSIVE) !== 0) {
            this.updateGrant(s, t, c, r, nodes[p + N_SEQNO]!);
            res = 1;
          } else {
            res = missing === 0 ? 1 : 0;
          }
        }
      }
      out[i] = res;
    }
    this.lookups += lookups;
  }

  private search(ssid: number, tsid: number, tclass: number): number {
    const nodes = this.nodes;
    let p = this.slots[(ssid ^ (tsid << 2) ^ (tclass << 4)) & this.mask]!;
    while (p !== 0 && (nodes[p + N_SSID] !== ssid || nodes[p + N_TSID] !== tsid || nodes[p + N_TCLASS] !== tclass)) p = nodes[p + N_NEXT]!;
    return p;
  }

  private miss(ssid: number, tsid: number, tclass: number, requested: number): number {
    this.misses++;
    const d = this.decision;
    if (this.compute(ssid, tsid, tclass, requested, d) !== 0) return 0; // fail closed, not cached
    const allowed = d[D_ALLOWED]!, flags = d[D_FLAGS]!, seq = d[D_SEQNO]!;
    this.insert(ssid, tsid, tclass, allowed, d[D_AUDITALLOW]!, d[D_AUDITDENY]!, seq, flags);
    if ((requested & ~allowed) === 0) return 1;
    if (this.enforcing && (flags & AVD_FLAGS_PERMISSIVE) === 0) return 0;
    this.updateGrant(ssid, tsid, tclass, requested, seq);
    return 1;
  }

  /** K avc_insert; true when cached */
  insert(ssid: number, tsid: number, tclass: number, allowed: number, auditallow: number, auditdeny: number, seq: number, flags: number): boolean {
    if (seq < this.latestNotif) return false;
    const np = this.allocNode();
    if (np === 0) return false;
    this.populate(np, ssid, tsid, tclass, allowed, auditallow, auditdeny, seq, flags);
    return this.link(np, ssid, tsid, tclass, -1);
  }

  /** K avc_ss_reset(seqno) */
  reset(seq: number): void {
    const nodes = this.nodes;
    for (let s = 0; s <= this.mask; s++) {
      let p = this.slots[s]!;
      while (p !== 0) {
        const next = nodes[p + N_NEXT]!;
        this.freeNode(p);
        p = next;
      }
      this.slots[s] = 0;
    }
    if (seq > this.latestNotif) this.latestNotif = seq;
  }

  private updateGrant(ssid: number, tsid: number, tclass: number, perms: number, seq: number): void {
    const np = this.allocNode();
    if (np === 0) return;
    const nodes = this.nodes;
    const orig = this.search(ssid, tsid, tclass);
    if (orig === 0 || nodes[orig + N_SEQNO] !== seq) {
      this.freeNode(np);
      return;
    }
    this.populate(np, ssid, tsid, tclass, (nodes[orig + N_ALLOWED]! | perms) >>> 0, nodes[orig + N_AUDITALLOW]!, nodes[orig + N_AUDITDENY]!, seq, nodes[orig + N_FLAGS]!);
    this.link(np, ssid, tsid, tclass, seq);
  }

  private populate(p: number, ssid: number, tsid: number, tclass: number, allowed: number, auditallow: number, auditdeny: number, seq: number, flags: number): void {
    const n = this.nodes;
    n[p + N_SSID] = ssid;
    n[p + N_TSID] = tsid;
    n[p + N_TCLASS] = tclass;
    n[p + N_ALLOWED] = allowed;
    n[p + N_AUDITALLOW] = auditallow;
    n[p + N_AUDITDENY] = auditdeny;
    n[p + N_SEQNO] = seq;
    n[p + N_FLAGS] = flags;
  }

  /** replace a node with the same key (and seqno when matchSeqno >= 0) in place, else push at the head */
  private link(np: number, ssid: number, tsid: number, tclass: number, matchSeqno: number): boolean {
    const nodes = this.nodes;
    const slot = (ssid ^ (tsid << 2) ^ (tclass << 4)) & this.mask;
    let prev = -1; // -1: the slot head, else the node whose next points at p
    let p = this.slots[slot]!;
    while (p !== 0) {
      if (nodes[p + N_SSID] === ssid && nodes[p + N_TSID] === tsid && nodes[p + N_TCLASS] === tclass && (matchSeqno < 0 || nodes[p + N_SEQNO] === matchSeqno)) {
        nodes[np + N_NEXT] = nodes[p + N_NEXT]!;
        if (prev < 0) this.slots[slot] = np;
        else nodes[prev + N_NEXT] = np;
        this.freeNode(p);
        return true;
      }
      prev = p;
      p = nodes[p + N_NEXT]!;
    }
    if (matchSeqno >= 0) {
      this.freeNode(np);
      return false;
    }
    nodes[np + N_NEXT] = this.slots[slot]!;
    this.slots[slot] = np;
    return true;
  }

  private freeNode(p: number): void {
    this.nodes[p + N_NEXT] = this.freeHead;
    this.freeHead = p;
    this.activeNodes--;
    this.frees++;
  }

  private allocNode(): number {
    const p = this.freeHead;
    if (p === 0) return 0;
    this.freeHead = this.nodes[p + N_NEXT]!;
    this.allocations++;
    this.activeNodes++;
    if (this.activeNodes > this.threshold) this.reclaim();
    return p;
  }

  private reclaim(): void {
    let ecx = 0;
    for (let tries = 0; tries <= this.mask; tries++) {
      this.lruHint++;
      const slot = this.lruHint & this.mask;
      let p = this.slots[slot]!;
      while (p !== 0) {
        const next = this.nodes[p + N_NEXT]!;
        this.slots[slot] = next;
        this.freeNode(p);
        this.reclaims++;
        ecx++;
        if (ecx >= this.reclaimBatch) return;
        p = next;
      }
    }
  }

  stats(): { lookups: number; hits: number; misses: number; allocations: number; reclaims: number; frees: number; activeNodes: number } {
    return { lookups: this.lookups, hits: this.lookups - this.misses, misses: this.misses, allocations: this.allocations, reclaims: this.reclaims, frees: this.frees, activeNodes: this.activeNodes };
  }
}
