/**
 * The in-memory HostStore (library use, tests, benchmarks): the SQLite store's semantics without a
 * file. Atomicity comes from an undo log: every mutation inside `transaction` pushes its inverse;
 * a throwing transaction (or nested transaction, like a SAVEPOINT) replays them in reverse.
 * Records are stored by reference and treated as immutable (every field of GuestRecord is readonly).
 */
import { quoteInput, stateError } from '../errors.js';
import type { GuestRecord } from './guest-types.js';
import { consistencyProblems } from './store-check.js';
import { fileKey } from './paths.js';
import type { HostStore, McsReservation, StoredAuditRecord, StoredFileLabel } from './store.js';

const key = (path: string, model: string): string => `${path}\0${model}`;

export class MemoryStore implements HostStore {
  readonly kind = 'memory' as const;
  readonly path = undefined;
  readonly readonly = false;
  private readonly guests = new Map<string, GuestRecord>();
  private readonly uuids = new Map<string, string>();
  private readonly mcs = new Map<string, McsReservation>();
  private readonly holders = new Map<string, Set<string>>();
  private readonly files = new Map<string, string>();
  private readonly remembered = new Map<string, { label: string; refs: number }>();
  private readonly meta = new Map<string, string>([['next_pid', '1000']]);
  private readonly audit: StoredAuditRecord[] = [];
  private generation = 0;
  private depth = 0;
  private undo: Array<() => void> = [];
  private closed = false;

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  transaction<T>(fn: () => T): T {
    this.open();
    const mark = this.undo.length;
    this.depth++;
    try {
      return fn();
    } catch (err) {
      while (this.undo.length > mark) this.undo.pop()!();
      throw err;
    } finally {
      this.depth--;
      if (this.depth === 0) this.undo = [];
    }
  }

  /** record an inverse operation when inside a transaction */
  private log(inverse: () => void): void {
    if (this.depth > 0) this.undo.push(inverse);
  }

  private setOrDelete<K, V>(map: Map<K, V>, k: K, v: V | undefined): void {
    if (v === undefined) map.delete(k);
    else map.set(k, v);
  }

  getGuest(name: string): GuestRecord | undefined {
    this.open();
    return this.guests.get(name);
  }

  listGuests(): GuestRecord[] {
    this.open();
    return [...this.guests.values()].sort((a, b) => (a.def.name < b.def.name ? -1 : a.def.name > b.def.name ? 1 : 0));
  }

  guestNameByUuid(uuid: string): string | undefined {
    this.open();
    return this.uuids.get(uuid);
  }

  putGuest(record: GuestRecord): void {
    this.open();
    const name = record.def.name;
    const owner = this.uuids.get(record.def.uuid);
    if (owner !== undefined && owner !== name) throw stateError(`uuid ${record.def.uuid} is already used by guest ${quoteInput(owner)}`);
    const prev = this.guests.get(name);
    this.guests.set(name, record);
    if (prev) this.uuids.delete(prev.def.uuid);
    this.uuids.set(record.def.uuid, name);
    this.log(() => {
      this.uuids.delete(record.def.uuid);
      this.setOrDelete(this.guests, name, prev);
      if (prev) this.uuids.set(prev.def.uuid, name);
    });
  }

  deleteGuest(name: string): boolean {
    this.open();
    const prev = this.guests.get(name);
    if (!prev) return false;
    if (this.mcs.has(name)) throw stateError(`guest ${quoteInput(name)} still holds an MCS reservation`);
    this.guests.delete(name);
    this.uuids.delete(prev.def.uuid);
    this.log(() => {
      this.guests.set(name, prev);
      this.uuids.set(prev.def.uuid, name);
    });
    return true;
  }

  reserveMcs(r: McsReservation): boolean {
    this.open();
    if (!this.guests.has(r.guest)) throw stateError(`MCS reservation for unknown guest ${quoteInput(r.guest)}`);
    if (this.mcs.has(r.guest)) throw stateError(`guest ${quoteInput(r.guest)} already holds an MCS reservation`);
    const holders = this.holders.get(r.level);
    if (holders && holders.size > 0) {
      if (r.dynamic) return false;
      for (const g of holders) if (this.mcs.get(g)!.dynamic) return false;
    }
    this.mcs.set(r.guest, r);
    const set = holders ?? new Set<string>();
    set.add(r.guest);
    this.holders.set(r.level, set);
    this.generation++;
    this.log(() => {
      this.mcs.delete(r.guest);
      set.delete(r.guest);
      if (set.size === 0) this.holders.delete(r.level);
      this.generation++; // monotonic: a rolled-back change still invalidates every cached view
    });
    return true;
  }

  releaseMcs(guest: string): McsReservation | undefined {
    this.open();
    const r = this.mcs.get(guest);
    if (!r) return undefined;
    this.mcs.delete(guest);
    const set = this.holders.get(r.level)!;
    set.delete(guest);
    if (set.size === 0) this.holders.delete(r.level);
    this.generation++;
    this.log(() => {
      this.mcs.set(guest, r);
      set.add(guest);
      this.holders.set(r.level, set);
      this.generation++; // monotonic: a rolled-back change still invalidates every cached view
    });
    return r;
  }

  listMcs(): McsReservation[] {
    this.open();
    return [...this.mcs.values()];
  }

  mcsHolders(level: string): McsReservation[] {
    this.open();
    return [...(this.holders.get(level) ?? [])].map((g) => this.mcs.get(g)!);
  }

  mcsGeneration(): number {
    return this.generation;
  }

  getFileLabel(rawPath: string, model: string): string | undefined {
    const path = fileKey(rawPath);
    this.open();
    return this.files.get(key(path, model));
  }

  setFileLabel(rawPath: string, model: string, label: string): void {
    const path = fileKey(rawPath);
    this.open();
    const k = key(path, model);
    const prev = this.files.get(k);
    this.files.set(k, label);
    this.log(() => this.setOrDelete(this.files, k, prev));
  }

  listFileLabels(prefix = ''): StoredFileLabel[] {
    this.open();
    const out: StoredFileLabel[] = [];
    for (const [k, label] of this.files) {
      const [path, model] = k.split('\0') as [string, string];
      if (path.startsWith(prefix)) out.push({ path, model, label });
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
  }

  rememberLabel(rawPath: string, model: string, original: string): number {
    const path = fileKey(rawPath);
    this.open();
    const k = key(path, model);
    const prev = this.remembered.get(k);
    const next = prev ? { label: prev.label, refs: prev.refs + 1 } : { label: original, refs: 1 };
    this.remembered.set(k, next);
    this.log(() => this.setOrDelete(this.remembered, k, prev));
    return next.refs;
  }

  recallLabel(rawPath: string, model: string): string | undefined {
    const path = fileKey(rawPath);
    this.open();
    const k = key(path, model);
    const prev = this.remembered.get(k);
    if (!prev) return undefined;
    if (prev.refs > 1) this.remembered.set(k, { label: prev.label, refs: prev.refs - 1 });
    else this.remembered.delete(k);
    this.log(() => this.remembered.set(k, prev));
    return prev.refs > 1 ? undefined : prev.label;
  }

  getRemembered(rawPath: string, model: string): { label: string; refs: number } | undefined {
    const path = fileKey(rawPath);
    this.open();
    const r = this.remembered.get(key(path, model));
    return r ? { ...r } : undefined;
  }

  listRemembered(): Array<{ path: string; model: string; label: string; refs: number }> {
    this.open();
    return [...this.remembered].map(([k, r]) => {
      const [path, model] = k.split('\0') as [string, string];
      return { path, model, ...r };
    });
  }

  getMeta(k: string): string | undefined {
    this.open();
    return this.meta.get(k);
  }

  setMeta(k: string, value: string): void {
    this.open();
    const prev = this.meta.get(k);
    this.meta.set(k, value);
    this.log(() => this.setOrDelete(this.meta, k, prev));
  }

  /** kept in meta `next_pid`, as in the SQLite store */
  nextPid(): number {
    this.open();
    const pid = Number(this.meta.get('next_pid') ?? '1000');
    this.setMeta('next_pid', String(pid + 1));
    return pid;
  }

  appendAudit(text: string, time = Date.now()): StoredAuditRecord {
    this.open();
    const rec = { serial: this.audit.length + 1, time, text };
    this.audit.push(rec);
    this.log(() => void this.audit.pop());
    return rec;
  }

  listAudit(afterSerial = 0): StoredAuditRecord[] {
    this.open();
    return this.audit.slice(Math.max(0, afterSerial));
  }

  checkConsistency(): string[] {
    return consistencyProblems({ guests: this.listGuests(), mcs: this.listMcs(), remembered: this.listRemembered() });
  }

  close(): void {
    this.closed = true;
  }

  private open(): void {
    if (this.closed) throw stateError('the in-memory store is closed');
  }
}

export function createMemoryStore(): HostStore {
  return new MemoryStore();
}
