/**
 * The SQLite HostStore (better-sqlite3 12): the durable, multi-process host state.
 *
 * Durability and atomicity: WAL journal, `synchronous = NORMAL` (a killed process — kill -9 at any
 * instruction — loses at most nothing it did not commit and never leaves a half transaction; only
 * an OS crash may drop the last commits), foreign keys on. Every `transaction` is
 * `BEGIN IMMEDIATE`, so writers serialise on the database's write lock while readers continue
 * (WAL); a writer waits up to `busyTimeoutMs` for the lock, then fails with E_STATE "locked".
 *
 * Identity: `PRAGMA application_id` = 0x73566972 ("sVir") and a `schema_version` table. Opening a
 * file that is not an SQLite database, is another application's database, has an unknown schema
 * version, fails `quick_check`, or is locked is an E_STATE error naming the file, and the file is
 * left untouched (nothing is written before the identity checks pass).
 *
 * Multi-process MCS uniqueness: `mcs_live` has one row per guest and a partial UNIQUE index on
 * `level` for dynamic rows; `meta.mcs_generation` counts changes so each process's allocator knows
 * when to resynchronise (selinux.ts).
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, readdirSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SvirtError, quoteInput, stateError } from '../errors.js';
import type { GuestRecord, LabelledFile } from './guest-types.js';
import { consistencyProblems } from './store-check.js';
import { fileKey } from './paths.js';
import type { HostStore, McsReservation, SqliteStoreOptions, StoredAuditRecord, StoredFileLabel } from './store.js';

/** "sVir" */
export const APPLICATION_ID = 0x73566972;
export const SCHEMA_VERSION = 1;
const SQLITE_MAGIC = 'SQLite format 3\0';

const SCHEMA = `
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE guests (
  name TEXT PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL CHECK (state IN ('shutoff', 'running')),
  record TEXT NOT NULL
);
CREATE TABLE guest_files (
  guest TEXT NOT NULL REFERENCES guests(name) ON DELETE CASCADE,
  path TEXT NOT NULL,
  model TEXT NOT NULL,
  label TEXT NOT NULL,
  role TEXT NOT NULL,
  remembered INTEGER NOT NULL CHECK (remembered IN (0, 1)),
  seq INTEGER NOT NULL,
  PRIMARY KEY (guest, path, model)
) WITHOUT ROWID;
CREATE TABLE mcs_live (
  guest TEXT PRIMARY KEY REFERENCES guests(name),
  level TEXT NOT NULL,
  pair_id INTEGER,
  dynamic INTEGER NOT NULL CHECK (dynamic IN (0, 1))
) WITHOUT ROWID;
CREATE UNIQUE INDEX mcs_live_dynamic_level ON mcs_live(level) WHERE dynamic = 1;
CREATE INDEX mcs_live_level ON mcs_live(level);
CREATE TABLE file_labels (
  path TEXT NOT NULL,
  model TEXT NOT NULL,
  label TEXT NOT NULL,
  PRIMARY KEY (path, model)
) WITHOUT ROWID;
CREATE TABLE remembered (
  path TEXT NOT NULL,
  model TEXT NOT NULL,
  label TEXT NOT NULL,
  refs INTEGER NOT NULL CHECK (refs > 0),
  PRIMARY KEY (path, model)
) WITHOUT ROWID;
CREATE TABLE audit (
  serial INTEGER PRIMARY KEY AUTOINCREMENT,
  time INTEGER NOT NULL,
  text TEXT NOT NULL
);
`;

type Row = Record<string, unknown>;

function sqliteCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/** Map SQLite failures to clear E_STATE errors. */
function wrap(path: string, err: unknown, doing: string): Error {
  const code = sqliteCode(err) ?? '';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return stateError(`${quoteInput(path)}: the state file is locked by another process (${doing}); try again later`, err);
  }
  if (code === 'SQLITE_NOTADB') return stateError(`${quoteInput(path)}: not an svirt state file (not an SQLite database); left untouched`, err);
  if (code.startsWith('SQLITE_CORRUPT')) return stateError(`${quoteInput(path)}: the state file is corrupt (${doing}): ${(err as Error).message}`, err);
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_PERM')) {
    return stateError(`${quoteInput(path)}: cannot use the state file (${doing}): ${(err as Error).message}`, err);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** Read the first 16 bytes without opening the file through SQLite (which could write). */
function readMagic(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    return buf.subarray(0, n).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

/**
 * SQLite refused a read-only open because a WAL database needs its `-shm` index beside the file and
 * the directory is not writable by this user (SQLITE_READONLY_DIRECTORY, or CANTOPEN on the index).
 */
function needsWalIndex(err: unknown): boolean {
  const code = sqliteCode(err) ?? '';
  return code === 'SQLITE_READONLY_DIRECTORY' || code.startsWith('SQLITE_CANTOPEN');
}

/**
 * A read-only listing of a state file in a directory this user cannot write: an in-memory copy of
 * the file. Exact only when no `-wal` file holds committed frames the main file lacks (a writer that
 * closed cleanly checkpoints and removes it); otherwise refused rather than showing stale state.
 * Bytes 18-19 of the SQLite header (file format versions, 2 = WAL) are set to 1 in the copy so SQLite
 * opens it as an ordinary in-memory database (S sqlite.org/fileformat2.html, "File format version numbers").
 */
function openSnapshot(path: string, verbose: { verbose?: (sql: unknown) => void }): Database.Database {
  const wal = `${path}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) {
    throw stateError(`${quoteInput(path)}: cannot open read-only: the directory is not writable and ${quoteInput(basename(wal))} holds changes not yet in the file`);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw stateError(`${quoteInput(path)}: cannot read the state file: ${(err as Error).message}`, err);
  }
  if (bytes.length >= 20) {
    bytes[18] = 1;
    bytes[19] = 1;
  }
  try {
    return new Database(bytes, { readonly: true, ...verbose });
  } catch (err) {
    throw wrap(path, err, 'opening a read-only copy');
  }
}

/** `INSERT`s that make an empty database an svirt state file (run inside one transaction). */
function writeSchema(db: Database.Database): void {
  db.exec(SCHEMA);
  db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
  db.prepare(`INSERT INTO meta (key, value) VALUES ('mcs_generation', '0'), ('next_pid', '1000')`).run();
  db.pragma(`application_id = ${APPLICATION_ID}`);
}

/** the prefix of the temporary names a creation uses next to `path` */
function tempPrefix(path: string): string {
  return join(dirname(path), `.${basename(path)}.creating-`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `.NAME.creating-PID-HEX` plus SQLite's side files: what `createStateFile` builds in */
const TEMP_NAME = /^\..+\.creating-(\d+)-[0-9a-f]{12}(?:-wal|-shm|-journal)?$/;

/** Remove what creations killed before they finished left in `path`'s directory (their process is gone). */
function removeStaleTemps(path: string): void {
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (m === null) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    rmSync(join(dirname(path), name), { force: true });
  }
}

/**
 * Create a complete state file at `path` without ever exposing a partial one: the directory is
 * created 0700 when missing; the database is built under a temporary name in it (mode 0600,
 * schema in one synchronous transaction, WAL) and then hard-linked to `path`, which fails when
 * another process created `path` first (its file is kept, ours discarded). A process killed at any
 * point leaves no file at `path` or a complete one; its temporary file is removed by a later
 * creation.
 */
function createStateFile(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw stateError(`${quoteInput(path)}: cannot create the state directory: ${(err as Error).message}`, err);
  }
  removeStaleTemps(path);
  const tmp = `${tempPrefix(path)}${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    closeSync(openSync(tmp, 'wx', 0o600));
    const db = new Database(tmp, { fileMustExist: true });
    try {
      db.pragma('synchronous = FULL');
      db.transaction(() => writeSchema(db)).immediate();
      db.pragma('journal_mode = WAL');
    } finally {
      db.close();
    }
    publish(tmp, path);
  } catch (err) {
    if (err instanceof SvirtError) throw err;
    throw stateError(`${quoteInput(path)}: cannot create the state file: ${(err as Error).message}`, err);
  } finally {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${tmp}${suffix}`, { force: true });
  }
}

/** Make the complete file `tmp` visible as `path` unless `path` exists (then keep that one). */
function publish(tmp: string, path: string): void {
  try {
    linkSync(tmp, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    // filesystems without hard links: rename, which is atomic but replaces; check first
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    if (!existsSync(path)) renameSync(tmp, path);
  }
  try {
    const fd = openSync(dirname(path), 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // directories that cannot be opened for fsync (some filesystems): the link is still atomic
  }
}

export class SqliteStore implements HostStore {
  readonly kind = 'sqlite' as const;
  readonly path: string;
  readonly readonly: boolean;
  private readonly db: Database.Database;
  private readonly stmts: ReturnType<SqliteStore['prepare']>;
  private readonly txRunner: (fn: () => unknown) => unknown;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.path = path;
    this.readonly = options.readonly === true;
    const busy = options.busyTimeoutMs ?? 5000;
    const q = quoteInput(path);
    if (!existsSync(path)) {
      if (options.create === false || this.readonly) throw stateError(`${q}: the state file does not exist`);
      createStateFile(path);
    }
    let st;
    try {
      st = statSync(path);
    } catch (err) {
      throw stateError(`${q}: cannot read the state file: ${(err as Error).message}`, err);
    }
    if (st.isDirectory()) throw stateError(`${q}: is a directory, not a state file`);
    if (!st.isFile()) throw stateError(`${q}: not a regular file, not a state file; left untouched`);
    const empty = st.size === 0;
    if (empty && this.readonly) throw stateError(`${q}: the state file is empty (never initialised); left untouched`);
    if (!empty) {
      let magic: string;
      try {
        magic = readMagic(path);
      } catch (err) {
        throw stateError(`${q}: cannot read the state file: ${(err as Error).message}`, err);
      }
      if (magic !== SQLITE_MAGIC) throw stateError(`${q}: not an svirt state file (not an SQLite database); left untouched`);
    }
    const verbose = options.trace ? { verbose: (sql: unknown) => options.trace!(String(sql)) } : {};
    try {
      this.db = new Database(path, { fileMustExist: true, timeout: busy, readonly: this.readonly, ...verbose });
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busy))}`);
      // the first read is where SQLite finds it cannot build the WAL index of a read-only open
      if (this.readonly) this.db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (err) {
      if (!this.readonly || !needsWalIndex(err)) throw wrap(path, err, 'opening');
      this.db = openSnapshot(path, verbose);
    }
    try {
      if (!this.readonly && (empty || this.blank())) this.initialise();
      else this.checkIdentity(options.verify ?? true);
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('synchronous = NORMAL');
    } catch (err) {
      this.db.close();
      throw wrap(path, err, 'opening');
    }
    this.stmts = this.prepare();
    const t = this.db.transaction((fn: () => unknown) => fn());
    this.txRunner = this.readonly
      ? () => {
          throw stateError(`${q}: the state file is open read-only; this command cannot change it`);
        }
      : (fn) => t.immediate(fn);
  }

  /**
   * A database with nothing in it (application_id 0, no schema object): what an interrupted
   * in-place initialisation or an empty SQLite file leaves. Holds no data, so it is initialised.
   */
  private blank(): boolean {
    const appId = this.db.pragma('application_id', { simple: true }) as number;
    if (appId !== 0) return false;
    const objects = this.db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number };
    return objects.n === 0;
  }

  /** An empty (or blank) existing file: schema and identity in one transaction, then WAL. */
  private initialise(): void {
    this.db.transaction(() => {
      // a concurrent opener may have initialised it between our check and this lock
      const have = this.db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'schema_version'`).get() as { n: number };
      if (have.n > 0) return;
      writeSchema(this.db);
    }).immediate();
    this.db.pragma('journal_mode = WAL');
    this.checkIdentity(false);
  }

  private checkIdentity(verify: boolean): void {
    const appId = this.db.pragma('application_id', { simple: true }) as number;
    if (appId !== APPLICATION_ID) {
      throw stateError(`${quoteInput(this.path)}: not an svirt state file (SQLite application_id 0x${(appId >>> 0).toString(16)}, expected 0x${APPLICATION_ID.toString(16)}); left untouched`);
    }
    const table = this.db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`).get() as { n: number };
    if (table.n === 0) throw stateError(`${quoteInput(this.path)}: svirt state file without a schema_version table; left untouched`);
    const row = this.db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    if (row?.version !== SCHEMA_VERSION) {
      throw stateError(`${quoteInput(this.path)}: state file schema version ${row?.version ?? 'missing'} is not supported (expected ${SCHEMA_VERSION}); left untouched`);
    }
    if (verify) {
      const result = this.db.pragma('quick_check', { simple: true }) as string;
      if (result !== 'ok') throw stateError(`${quoteInput(this.path)}: the state file is corrupt (quick_check: ${result}); left untouched`);
    }
    if (this.readonly) return;
    const mode = this.db.pragma('journal_mode', { simple: true }) as string;
    if (mode.toLowerCase() !== 'wal') this.db.pragma('journal_mode = WAL');
  }

  private prepare() {
    const db = this.db;
    return {
      getGuest: db.prepare('SELECT record FROM guests WHERE name = ?'),
      guestFiles: db.prepare('SELECT path, model, label, role, remembered FROM guest_files WHERE guest = ? ORDER BY seq'),
      allGuests: db.prepare('SELECT name, record FROM guests ORDER BY name'),
      allGuestFiles: db.prepare('SELECT guest, path, model, label, role, remembered FROM guest_files ORDER BY guest, seq'),
      uuidOwner: db.prepare('SELECT name FROM guests WHERE uuid = ?'),
      upsertGuest: db.prepare(
        `INSERT INTO guests (name, uuid, state, record) VALUES (@name, @uuid, @state, @record)
         ON CONFLICT(name) DO UPDATE SET uuid = excluded.uuid, state = excluded.state, record = excluded.record`,
      ),
      clearFiles: db.prepare('DELETE FROM guest_files WHERE guest = ?'),
      addFile: db.prepare('INSERT INTO guest_files (guest, path, model, label, role, remembered, seq) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      deleteGuest: db.prepare('DELETE FROM guests WHERE name = ?'),
      mcsOf: db.prepare('SELECT guest, level, pair_id, dynamic FROM mcs_live WHERE guest = ?'),
      mcsAt: db.prepare('SELECT guest, level, pair_id, dynamic FROM mcs_live WHERE level = ?'),
      mcsAll: db.prepare('SELECT guest, level, pair_id, dynamic FROM mcs_live'),
      mcsInsert: db.prepare('INSERT INTO mcs_live (guest, level, pair_id, dynamic) VALUES (?, ?, ?, ?)'),
      mcsDelete: db.prepare('DELETE FROM mcs_live WHERE guest = ?'),
      genBump: db.prepare(`UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'mcs_generation'`),
      getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      getFile: db.prepare('SELECT label FROM file_labels WHERE path = ? AND model = ?'),
      setFile: db.prepare('INSERT INTO file_labels (path, model, label) VALUES (?, ?, ?) ON CONFLICT(path, model) DO UPDATE SET label = excluded.label'),
      listFiles: db.prepare('SELECT path, model, label FROM file_labels WHERE substr(path, 1, length(?)) = ? ORDER BY path, model'),
      getRem: db.prepare('SELECT label, refs FROM remembered WHERE path = ? AND model = ?'),
      insRem: db.prepare('INSERT INTO remembered (path, model, label, refs) VALUES (?, ?, ?, 1)'),
      incRem: db.prepare('UPDATE remembered SET refs = refs + 1 WHERE path = ? AND model = ?'),
      decRem: db.prepare('UPDATE remembered SET refs = refs - 1 WHERE path = ? AND model = ?'),
      delRem: db.prepare('DELETE FROM remembered WHERE path = ? AND model = ?'),
      allRem: db.prepare('SELECT path, model, label, refs FROM remembered ORDER BY path, model'),
      addAudit: db.prepare('INSERT INTO audit (time, text) VALUES (?, ?)'),
      listAudit: db.prepare('SELECT serial, time, text FROM audit WHERE serial > ? ORDER BY serial'),
    };
  }

  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  transaction<T>(fn: () => T): T {
    try {
      return this.txRunner(fn) as T;
    } catch (err) {
      throw wrap(this.path, err, 'in a transaction');
    }
  }

  /** run a write outside a transaction as its own transaction */
  private write<T>(fn: () => T): T {
    return this.db.inTransaction ? fn() : this.transaction(fn);
  }

  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw wrap(this.path, err, 'reading');
    }
  }

  private static fileOf(r: Row): LabelledFile {
    return { path: r['path'] as string, model: r['model'] as string, label: r['label'] as string, role: r['role'] as LabelledFile['role'], remembered: r['remembered'] === 1 };
  }

  private static mcsOf(r: Row): McsReservation {
    const pairId = r['pair_id'];
    return { guest: r['guest'] as string, level: r['level'] as string, dynamic: r['dynamic'] === 1, ...(typeof pairId === 'number' ? { pairId } : {}) };
  }

  getGuest(name: string): GuestRecord | undefined {
    return this.read(() => {
      const row = this.stmts.getGuest.get(name) as Row | undefined;
      if (!row) return undefined;
      const rec = JSON.parse(row['record'] as string) as Omit<GuestRecord, 'files'>;
      const files = (this.stmts.guestFiles.all(name) as Row[]).map(SqliteStore.fileOf);
      return { ...rec, files };
    });
  }

  listGuests(): GuestRecord[] {
    return this.read(() => {
      const files = new Map<string, LabelledFile[]>();
      for (const r of this.stmts.allGuestFiles.all() as Row[]) {
        const g = r['guest'] as string;
        let list = files.get(g);
        if (!list) files.set(g, (list = []));
        list.push(SqliteStore.fileOf(r));
      }
      return (this.stmts.allGuests.all() as Row[]).map((row) => {
        const rec = JSON.parse(row['record'] as string) as Omit<GuestRecord, 'files'>;
        return { ...rec, files: files.get(row['name'] as string) ?? [] };
      });
    });
  }

  guestNameByUuid(uuid: string): string | undefined {
    return this.read(() => (this.stmts.uuidOwner.get(uuid) as Row | undefined)?.['name'] as string | undefined);
  }

  putGuest(record: GuestRecord): void {
    this.write(() => {
      const name = record.def.name;
      const owner = this.stmts.uuidOwner.get(record.def.uuid) as Row | undefined;
      if (owner && owner['name'] !== name) throw stateError(`uuid ${record.def.uuid} is already used by guest ${quoteInput(String(owner['name']))}`);
      const { files, ...rest } = record;
      this.stmts.upsertGuest.run({ name, uuid: record.def.uuid, state: record.state, record: JSON.stringify(rest) });
      this.stmts.clearFiles.run(name);
      files.forEach((f, i) => this.stmts.addFile.run(name, f.path, f.model, f.label, f.role, f.remembered ? 1 : 0, i));
    });
  }

  deleteGuest(name: string): boolean {
    return this.write(() => {
      if (this.stmts.mcsOf.get(name)) throw stateError(`guest ${quoteInput(name)} still holds an MCS reservation`);
      return this.stmts.deleteGuest.run(name).changes > 0;
    });
  }

  reserveMcs(r: McsReservation): boolean {
    return this.write(() => {
      if (this.stmts.mcsOf.get(r.guest)) throw stateError(`guest ${quoteInput(r.guest)} already holds an MCS reservation`);
      const holders = this.stmts.mcsAt.all(r.level) as Row[];
      if (holders.length > 0 && (r.dynamic || holders.some((h) => h['dynamic'] === 1))) return false;
      try {
        this.stmts.mcsInsert.run(r.guest, r.level, r.pairId ?? null, r.dynamic ? 1 : 0);
      } catch (err) {
        // the UNIQUE index is the last line of defence against a concurrent writer
        if (sqliteCode(err) === 'SQLITE_CONSTRAINT_UNIQUE') return false;
        if (sqliteCode(err) === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw stateError(`MCS reservation for unknown guest ${quoteInput(r.guest)}`, err);
        throw err;
      }
      this.stmts.genBump.run();
      return true;
    });
  }

  releaseMcs(guest: string): McsReservation | undefined {
    return this.write(() => {
      const row = this.stmts.mcsOf.get(guest) as Row | undefined;
      if (!row) return undefined;
      this.stmts.mcsDelete.run(guest);
      this.stmts.genBump.run();
      return SqliteStore.mcsOf(row);
    });
  }

  listMcs(): McsReservation[] {
    return this.read(() => (this.stmts.mcsAll.all() as Row[]).map(SqliteStore.mcsOf));
  }

  mcsHolders(level: string): McsReservation[] {
    return this.read(() => (this.stmts.mcsAt.all(level) as Row[]).map(SqliteStore.mcsOf));
  }

  mcsGeneration(): number {
    return this.read(() => Number((this.stmts.getMeta.get('mcs_generation') as Row | undefined)?.['value'] ?? 0));
  }

  getFileLabel(rawPath: string, model: string): string | undefined {
    const path = fileKey(rawPath);
    return this.read(() => (this.stmts.getFile.get(path, model) as Row | undefined)?.['label'] as string | undefined);
  }

  setFileLabel(rawPath: string, model: string, label: string): void {
    const path = fileKey(rawPath);
    this.write(() => void this.stmts.setFile.run(path, model, label));
  }

  listFileLabels(prefix = ''): StoredFileLabel[] {
    return this.read(() => this.stmts.listFiles.all(prefix, prefix) as StoredFileLabel[]);
  }

  rememberLabel(rawPath: string, model: string, original: string): number {
    const path = fileKey(rawPath);
    return this.write(() => {
      const row = this.stmts.getRem.get(path, model) as Row | undefined;
      if (!row) {
        this.stmts.insRem.run(path, model, original);
        return 1;
      }
      this.stmts.incRem.run(path, model);
      return (row['refs'] as number) + 1;
    });
  }

  recallLabel(rawPath: string, model: string): string | undefined {
    const path = fileKey(rawPath);
    return this.write(() => {
      const row = this.stmts.getRem.get(path, model) as Row | undefined;
      if (!row) return undefined;
      if ((row['refs'] as number) > 1) {
        this.stmts.decRem.run(path, model);
        return undefined;
      }
      this.stmts.delRem.run(path, model);
      return row['label'] as string;
    });
  }

  getRemembered(rawPath: string, model: string): { label: string; refs: number } | undefined {
    const path = fileKey(rawPath);
    return this.read(() => this.stmts.getRem.get(path, model) as { label: string; refs: number } | undefined);
  }

  listRemembered(): Array<{ path: string; model: string; label: string; refs: number }> {
    return this.read(() => this.stmts.allRem.all() as Array<{ path: string; model: string; label: string; refs: number }>);
  }

  getMeta(key: string): string | undefined {
    return this.read(() => (this.stmts.getMeta.get(key) as Row | undefined)?.['value'] as string | undefined);
  }

  setMeta(key: string, value: string): void {
    this.write(() => void this.stmts.setMeta.run(key, value));
  }

  nextPid(): number {
    return this.write(() => {
      const pid = Number(this.getMeta('next_pid') ?? '1000');
      this.stmts.setMeta.run('next_pid', String(pid + 1));
      return pid;
    });
  }

  appendAudit(text: string, time = Date.now()): StoredAuditRecord {
    return this.write(() => {
      const info = this.stmts.addAudit.run(time, text);
      return { serial: Number(info.lastInsertRowid), time, text };
    });
  }

  listAudit(afterSerial = 0): StoredAuditRecord[] {
    return this.read(() => this.stmts.listAudit.all(afterSerial) as StoredAuditRecord[]);
  }

  /** store invariants plus SQLite's own integrity check */
  checkConsistency(): string[] {
    return this.read(() => {
      const problems: string[] = [];
      const integrity = this.db.pragma('integrity_check', { simple: true }) as string;
      if (integrity !== 'ok') problems.push(`integrity_check: ${integrity}`);
      const fk = this.db.pragma('foreign_key_check') as unknown[];
      if (fk.length > 0) problems.push(`foreign_key_check: ${fk.length} violation(s)`);
      // one consistent snapshot: a read transaction
      const snap = this.db.transaction(() => ({ guests: this.listGuests(), mcs: this.listMcs(), remembered: this.listRemembered() }))();
      return [...problems, ...consistencyProblems(snap)];
    });
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Open (creating when absent) an svirt state file; see the module doc for the checks. */
export function openSqliteStore(path: string, options?: SqliteStoreOptions): HostStore {
  return new SqliteStore(path, options);
}
