/**
 * The SID table (K ss/sidtab.c, reduced): context text ↔ SID.
 *
 * - Initial SIDs 1..27 come from `model.initialSids` (OCON_ISID); dynamic SIDs are dense from 28
 *   and never freed (SID numbers survive reloads).
 * - The same context (canonical text) always yields the same SID; several initial SIDs with one
 *   context share the lookup entry of the lowest SID, as in the kernel's hash.
 * - On reload each context is re-resolved BY NAME in the new policy (K services_convert_context).
 *   A context that no longer parses is kept as its string (state INVALID) and decided as the
 *   `unlabeled` initial SID; sidToContext still returns the string.
 * - sidToContext of an initial SID without a context returns the `unlabeled` context (kernel
 *   sidtab_search); SID 0 and never-issued SIDs throw E_BAD_SID, and the Wasm core denies them.
 *
 * The table also owns the byte form the Wasm core reads (SID_REC records, see src/wasm/layout.ts)
 * and the SID-table blob shipped to worker threads (`exportBytes`).
 */
import { badSid } from '../errors.js';
import { contextIsValid, formatContext, parseContext } from '../context/context.js';
import { buildSymbolIndex, type ContextValue, type PolicyModel, type SymbolIndex } from '../policy/model.js';
import * as L from '../wasm/layout.js';

interface SidEntry {
  /** canonical text when valid, else the raw string kept from before */
  text: string;
  /** the context in the current policy; undefined when invalid */
  ctx: ContextValue | undefined;
}

export class SidTable {
  private model: PolicyModel;
  private index: SymbolIndex;
  /** entries[sid]; holes only among the initial SIDs 1..27 */
  private entries: Array<SidEntry | undefined> = [];
  private byText = new Map<string, number>();
  private next = L.SECINITSID_NUM + 1;

  constructor(model: PolicyModel, index?: SymbolIndex) {
    this.model = model;
    this.index = index ?? buildSymbolIndex(model);
    this.loadInitial();
  }

  /** highest SID + 1: the number of records the Wasm table needs */
  get count(): number {
    return this.next;
  }

  private loadInitial(): void {
    for (const isid of this.model.initialSids) {
      if (isid.sid < 1 || isid.sid > L.SECINITSID_NUM || !isid.context) continue;
      const valid = contextIsValid(this.model, isid.context);
      const text = formatContext(this.model, isid.context);
      this.entries[isid.sid] = { text, ctx: valid ? isid.context : undefined };
      if (valid && !this.byText.has(text)) this.byText.set(text, isid.sid);
    }
  }

  /** K security_context_to_sid: parse + validate (throws ContextError), intern. */
  contextToSid(text: string): number {
    const hit = this.byText.get(text);
    if (hit !== undefined) return hit;
    const ctx = parseContext(this.model, this.index, text);
    const canonical = formatContext(this.model, ctx);
    const known = this.byText.get(canonical);
    if (known !== undefined) return known;
    const sid = this.next++;
    this.entries[sid] = { text: canonical, ctx };
    this.byText.set(canonical, sid);
    return sid;
  }

  /** Canonical text of a SID (raw string for a context invalid in the current policy). */
  sidToContext(sid: number): string {
    const e = this.entry(sid);
    if (e) return e.text;
    const un = this.entries[L.SECINITSID_UNLABELED];
    if (this.issued(sid) && un?.ctx) return un.text; // initial SID without a context
    throw badSid(sid);
  }

  /** The context a decision uses: its own, else `unlabeled`'s, else undefined (deny). */
  decisionContext(sid: number): ContextValue | undefined {
    if (!this.issued(sid)) return undefined;
    return this.entries[sid]?.ctx ?? this.entries[L.SECINITSID_UNLABELED]?.ctx;
  }

  /** True when the SID's context is not valid in the current policy (audit `srawcon=`). */
  isInvalid(sid: number): boolean {
    const e = this.entry(sid);
    return e !== undefined && e.ctx === undefined;
  }

  private issued(sid: number): boolean {
    return Number.isInteger(sid) && sid >= 1 && sid < this.next;
  }

  private entry(sid: number): SidEntry | undefined {
    return this.issued(sid) ? this.entries[sid] : undefined;
  }

  /**
   * Re-resolve every context by name in `model` (K services_convert_context). Initial SIDs take the
   * new policy's contexts; SID numbers are kept.
   */
  reload(model: PolicyModel, index?: SymbolIndex): void {
    const old = this.entries;
    this.model = model;
    this.index = index ?? buildSymbolIndex(model);
    this.entries = [];
    this.byText = new Map();
    this.loadInitial();
    for (let sid = L.SECINITSID_NUM + 1; sid < this.next; sid++) {
      const e = old[sid];
      if (!e) continue;
      let ctx: ContextValue | undefined;
      let text = e.text;
      try {
        ctx = parseContext(model, this.index, e.text);
        text = formatContext(model, ctx);
      } catch {
        ctx = undefined; // kept as a string, decided as unlabeled
      }
      this.entries[sid] = { text, ctx };
      if (ctx && !this.byText.has(text)) this.byText.set(text, sid);
    }
  }

  /** Write the SID_REC of `sid` at byte `offset` of `dst` (little-endian). */
  writeRecord(sid: number, dst: Uint8Array, offset: number): void {
    const dv = new DataView(dst.buffer, dst.byteOffset + offset, L.SID_REC_SIZE);
    const u8 = dst.subarray(offset, offset + L.SID_REC_SIZE);
    u8.fill(0);
    const e = this.entries[sid];
    if (!e) return; // SID_STATE_NONE
    if (!e.ctx) {
      dv.setUint32(L.SID_STATE, L.SID_STATE_INVALID, true);
      return;
    }
    dv.setUint32(L.SID_USER, e.ctx.user, true);
    dv.setUint32(L.SID_ROLE, e.ctx.role, true);
    dv.setUint32(L.SID_TYPE, e.ctx.type, true);
    dv.setUint32(L.SID_STATE, L.SID_STATE_VALID, true);
    const r = e.ctx.range;
    if (r) {
      writeLevel(dv, L.SID_LOW, r.low.sens, r.low.cats.words);
      writeLevel(dv, L.SID_HIGH, r.high.sens, r.high.cats.words);
    }
  }

  /** The SID-table blob for workers: ST header + records 0..count-1. */
  exportBytes(): Uint8Array {
    const out = new Uint8Array(L.ST_HEADER_SIZE + this.count * L.SID_REC_SIZE);
    const dv = new DataView(out.buffer);
    dv.setUint32(L.ST_MAGIC, L.SIDTAB_MAGIC, true);
    dv.setUint32(L.ST_VERSION, 1, true);
    dv.setUint32(L.ST_COUNT, this.count, true);
    dv.setUint32(L.ST_RECORD_SIZE, L.SID_REC_SIZE, true);
    for (let sid = 1; sid < this.count; sid++) this.writeRecord(sid, out, L.ST_HEADER_SIZE + sid * L.SID_REC_SIZE);
    return out;
  }
}

function writeLevel(dv: DataView, at: number, sens: number, words: Uint32Array): void {
  dv.setUint32(at + L.LEVEL_SENS, sens, true);
  for (let i = 0; i < words.length; i++) dv.setUint32(at + L.LEVEL_CATS + i * 4, words[i]!, true);
}
