/**
 * The SQLite state file: identity, corruption and locking give clear E_STATE errors and leave the
 * file byte-for-byte untouched; the schema is versioned; the default path follows XDG / FHS.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SvirtError } from '../../src/errors.js';
import { LabelManager } from '../../src/label/manager.js';
import { APPLICATION_ID } from '../../src/label/store-sqlite.js';
import { defaultStatePath, openSqliteStore } from '../../src/label/store.js';

const tmp = mkdtempSync(join(tmpdir(), 'svirt-sqlite-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

function expectState(fn: () => unknown, re: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SvirtError);
    expect((err as SvirtError).code).toBe('E_STATE');
    expect((err as Error).message).toMatch(re);
    return;
  }
  throw new Error('expected an E_STATE error');
}

function populated(name: string): string {
  const path = join(tmp, name);
  const store = openSqliteStore(path);
  const m = new LabelManager({ store });
  for (let i = 0; i < 200; i++) {
    m.define({ name: `vm${i}`, disks: [{ source: `/var/lib/libvirt/images/vm${i}.qcow2` }] });
    if (i % 2 === 0) m.start(`vm${i}`);
  }
  store.close();
  return path;
}

describe('SQLite state file', () => {
  it('creates the file and its directory, WAL, foreign keys, our application_id and schema version', () => {
    const path = join(tmp, 'deep', 'dir', 'host.db');
    openSqliteStore(path).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version FROM schema_version').get()).toEqual({ version: 1 });
    db.close();
    // reopening works and keeps data
    const s = openSqliteStore(path);
    s.setMeta('k', 'v');
    s.close();
    expect(openSqliteStore(path).getMeta('k')).toBe('v');
  });

  it('refuses a file that is not an SQLite database, untouched', () => {
    const path = join(tmp, 'notes.txt');
    writeFileSync(path, 'these are my notes, not a database\n'.repeat(100));
    const before = sha(path);
    expectState(() => openSqliteStore(path), /not an svirt state file \(not an SQLite database\); left untouched/);
    expect(sha(path)).toBe(before);
  });

  it("refuses another application's SQLite database, untouched", () => {
    const path = join(tmp, 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    db.close();
    const before = sha(path);
    expectState(() => openSqliteStore(path), /not an svirt state file \(SQLite application_id 0x0, expected 0x73566972\); left untouched/);
    expect(sha(path)).toBe(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('refuses an unknown schema version, untouched', () => {
    const path = join(tmp, 'future.db');
    openSqliteStore(path).close();
    const db = new Database(path);
    db.exec('UPDATE schema_version SET version = 99');
    db.pragma('journal_mode = DELETE');
    db.close();
    const before = sha(path);
    expectState(() => openSqliteStore(path), /schema version 99 is not supported \(expected 1\)/);
    expect(sha(path)).toBe(before);
  });

  it('detects a corrupt file and leaves it untouched', () => {
    const path = populated('corrupt.db');
    const size = readFileSync(path).length;
    expect(size).toBeGreaterThan(8 * 4096);
    const fd = openSync(path, 'r+');
    // scribble over the middle of the file (b-tree pages), keeping the header intact
    writeSync(fd, Buffer.alloc(3 * 4096, 0xa5), 0, 3 * 4096, 4 * 4096);
    closeSync(fd);
    const before = sha(path);
    expectState(() => openSqliteStore(path), /corrupt/);
    expect(sha(path)).toBe(before);
  });

  it('reports a state file locked by another process, and changes nothing', () => {
    const path = populated('locked.db');
    // another process holds the write lock
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const store = openSqliteStore(path, { busyTimeoutMs: 50 });
    const m = new LabelManager({ store });
    expect(m.list().length).toBe(200); // WAL: readers are not blocked
    expectState(() => m.start('vm1'), /locked by another process/);
    other.exec('ROLLBACK');
    expect(m.start('vm1').state).toBe('running');
    // an exclusive-locking-mode connection blocks even opening
    store.close();
    other.pragma('locking_mode = EXCLUSIVE');
    other.exec('BEGIN EXCLUSIVE; UPDATE meta SET value = value WHERE key = \'next_pid\'; COMMIT');
    expectState(() => openSqliteStore(path, { busyTimeoutMs: 50 }), /locked by another process/);
    other.close();
    const again = openSqliteStore(path);
    expect(again.checkConsistency()).toEqual([]);
    again.close();
  });

  it('refuses a directory and a missing file when create is false', () => {
    expectState(() => openSqliteStore(tmp), /is a directory/);
    expectState(() => openSqliteStore(join(tmp, 'absent.db'), { create: false }), /does not exist/);
  });
});

describe('defaultStatePath', () => {
  it('follows XDG for users and /var/lib for root', () => {
    expect(defaultStatePath({ XDG_STATE_HOME: '/x/state', HOME: '/home/u' }, 1000)).toBe('/x/state/svirt/host.db');
    expect(defaultStatePath({ HOME: '/home/u' }, 1000)).toBe('/home/u/.local/state/svirt/host.db');
    // a relative XDG_STATE_HOME is invalid per the spec and ignored
    expect(defaultStatePath({ XDG_STATE_HOME: 'rel', HOME: '/home/u' }, 1000)).toBe('/home/u/.local/state/svirt/host.db');
    expect(defaultStatePath({ XDG_STATE_HOME: '/x/state', HOME: '/root' }, 0)).toBe('/var/lib/svirt/host.db');
  });
});
