/**
 * HostStore: the persistent host state of the label manager — guests and their live labels,
 * current file labels per driver model, remembered original labels with a reference count
 * (libvirt's XATTR remember/recall, docs/libvirt-labels.md), the live MCS reservations, a small
 * key/value table and an audit log for the simulated host.
 *
 * Creation (SQLite): a new state file is built under a temporary name in the same directory and
 * linked into place only when complete, mode 0600 in a directory created 0700 (host labels and
 * audit records are not for every local user); a process killed while creating leaves no state
 * file or a complete one, never a half-created file.
 *
 * Every path used as a key (file labels, remembered labels) is canonical (paths.ts `fileKey`):
 * two spellings of one file are one key.
 *
 * Two implementations with one contract:
 * - `openSqliteStore(path)` (store-sqlite.ts): better-sqlite3, WAL, foreign keys, a schema version,
 *   every `transaction` is `BEGIN IMMEDIATE` (writers serialise; readers never block), so a process
 *   killed at any point leaves nothing half-done. Several processes may share one file.
 * - `createMemoryStore()` (store-memory.ts): the same semantics in memory, with an undo log so a
 *   failed transaction leaves no trace.
 *
 * Invariants (both stores, checked by `checkConsistency`):
 * - a guest is `running` iff it has live labels; its `files` are exactly its guest-file rows;
 * - `remembered.refs` for (path, model) equals the number of running guests whose labelled-file
 *   row for that (path, model) has `remembered = true`;
 * - a level is held by at most one dynamic reservation, and no static reservation shares a dynamic
 *   reservation's level (the SQLite store enforces the first with a UNIQUE index).
 *
 * Mutating calls made outside `transaction` run as their own one-statement transaction.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { GuestRecord } from './guest-types.js';

/** One live MCS reservation (a running guest's SELinux level). */
export interface McsReservation {
  /** the guest holding it */
  readonly guest: string;
  /** canonical level text, e.g. `s0:c12,c345` */
  readonly level: string;
  /** the allocator's pair id when the level is a pair inside the allocator's range, else undefined */
  readonly pairId?: number;
  /** drawn by the allocator (true) or reserved as given by a static label (false) */
  readonly dynamic: boolean;
}

/** One audit log line of the simulated host. */
export interface StoredAuditRecord {
  /** 1-based serial, ascending */
  readonly serial: number;
  /** ms since the epoch */
  readonly time: number;
  readonly text: string;
}

/** A file's current label for one driver model (`selinux`, `dac`, `smack`). */
export interface StoredFileLabel {
  readonly path: string;
  readonly model: string;
  readonly label: string;
}

export interface HostStore {
  /** 'sqlite' or 'memory' */
  readonly kind: 'sqlite' | 'memory';
  /** file path of the SQLite database; undefined for the memory store */
  readonly path: string | undefined;
  /** opened read-only: every write (and `transaction`) fails with E_STATE; reads work */
  readonly readonly: boolean;

  /**
   * Run `fn` as one atomic unit (SQLite: BEGIN IMMEDIATE … COMMIT, retried while another process
   * holds the write lock). If `fn` throws, every change made through this store is undone and the
   * error is rethrown. Nested calls join the outer transaction.
   */
  transaction<T>(fn: () => T): T;
  /** true while inside `transaction` */
  readonly inTransaction: boolean;

  // ---- guests -------------------------------------------------------------------------------
  getGuest(name: string): GuestRecord | undefined;
  /** all guests, ordered by name */
  listGuests(): GuestRecord[];
  /** the name of the guest with this uuid, if any */
  guestNameByUuid(uuid: string): string | undefined;
  /** insert or replace (by name); uuid must be unique among guests (E_STATE otherwise) */
  putGuest(record: GuestRecord): void;
  /** remove a guest definition; false when absent */
  deleteGuest(name: string): boolean;

  // ---- MCS reservations ---------------------------------------------------------------------
  /**
   * Reserve `level` for `guest`. Returns false (changing nothing) when a dynamic reservation holds
   * the level, or when `dynamic` is true and any reservation holds it. One reservation per guest.
   */
  reserveMcs(reservation: McsReservation): boolean;
  /** drop the guest's reservation; returns it, or undefined when it had none */
  releaseMcs(guest: string): McsReservation | undefined;
  /** every live reservation */
  listMcs(): McsReservation[];
  /** reservations holding `level` */
  mcsHolders(level: string): McsReservation[];
  /**
   * A counter bumped by every change to the reservations (by any process sharing the store). An
   * allocator that saw generation g and reads g again inside a transaction knows its cache is exact.
   */
  mcsGeneration(): number;

  // ---- file labels (the simulated filesystem's security attributes) ---------------------------
  /** current label, or undefined when the store has never seen (path, model) */
  getFileLabel(path: string, model: string): string | undefined;
  setFileLabel(path: string, model: string, label: string): void;
  /** every stored file label, ordered by path then model; `prefix` filters by path prefix */
  listFileLabels(prefix?: string): StoredFileLabel[];

  // ---- remembered original labels (XATTR trusted.libvirt.security.* semantics) ---------------
  /**
   * Remember `original` for (path, model): when no record exists store it with refs 1, else
   * refs + 1 (the stored original is kept). Returns the new reference count.
   */
  rememberLabel(path: string, model: string, original: string): number;
  /**
   * Drop one reference. Returns the original label when the count reaches 0 (the record is
   * removed), or undefined while other users remain (or when nothing was remembered).
   */
  recallLabel(path: string, model: string): string | undefined;
  /** the remembered record, if any */
  getRemembered(path: string, model: string): { label: string; refs: number } | undefined;
  listRemembered(): Array<{ path: string; model: string; label: string; refs: number }>;

  // ---- small extras for the simulated host -----------------------------------------------------
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  /** next simulated pid (monotonic per store, starts at 1000) */
  nextPid(): number;
  appendAudit(text: string, time?: number): StoredAuditRecord;
  /** audit records with serial > `afterSerial` (default all), ascending */
  listAudit(afterSerial?: number): StoredAuditRecord[];

  /** Verify the invariants above; returns human-readable problems (empty = consistent). */
  checkConsistency(): string[];
  close(): void;
}

/** Options for `openSqliteStore`. */
export interface SqliteStoreOptions {
  /** ms to wait for another process's write lock before E_STATE "locked" (default 5000) */
  busyTimeoutMs?: number;
  /** run `PRAGMA quick_check` when opening an existing file (default true) */
  verify?: boolean;
  /** create the file (and its directory) when missing (default true) */
  create?: boolean;
  /**
   * open read-only (the file must exist; nothing is written, not even the journal mode): for
   * commands that only list, so a read-only state file can still be listed
   */
  readonly?: boolean;
  /** called with the text of every SQL statement executed (statement counting in tests) */
  trace?: (sql: string) => void;
}

/**
 * The platform-conventional state path: root → `/var/lib/svirt/host.db`; else
 * `$XDG_STATE_HOME/svirt/host.db` when XDG_STATE_HOME is an absolute path (XDG Base Directory
 * spec: relative values are ignored), else `~/.local/state/svirt/host.db`.
 */
export function defaultStatePath(env: NodeJS.ProcessEnv = process.env, uid: number | undefined = process.getuid?.()): string {
  if (uid === 0) return '/var/lib/svirt/host.db';
  const xdg = env['XDG_STATE_HOME'];
  if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, 'svirt', 'host.db');
  return join(env['HOME'] && env['HOME'].startsWith('/') ? env['HOME'] : homedir(), '.local', 'state', 'svirt', 'host.db');
}

export { openSqliteStore } from './store-sqlite.js';
export { createMemoryStore } from './store-memory.js';
