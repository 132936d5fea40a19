/**
 * Creating and opening state files: mode 0600 in a directory created 0700; a process killed while
 * creating leaves no file or a complete one (children/create-loop.ts, SIGKILL at random moments);
 * a blank SQLite file (what an interrupted in-place initialisation leaves) is initialised instead
 * of refused forever; a read-only store lists and refuses every write; and define/start/stop/list
 * cost a constant number of SQL statements per disk (counted, not timed).
 */
import { fork } from 'node:child_process';
import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SvirtError } from '../../src/errors.js';
import { LabelManager } from '../../src/label/manager.js';
import { seededRng } from '../../src/label/mcs-alloc.js';
import { openSqliteStore } from '../../src/label/store.js';
import { IMG } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'svirt-create-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function killDuringCreation(dir: string, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'children', 'create-loop.ts'), [dir], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('message', (msg) => {
      if (msg === 'ready') setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child ended with ${code ?? signal}: ${err}`))));
  });
}

describe('state file creation', () => {
  it('creates the file 0600 in a directory created 0700 (WAL side files follow the file)', () => {
    const path = join(tmp, 'modes', 'state', 'host.db');
    const old = process.umask(0o022);
    try {
      const store = openSqliteStore(path);
      new LabelManager({ store }).define({ name: 'vm', disks: [{ source: `${IMG}/vm.img` }] });
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
      expect(statSync(join(tmp, 'modes')).mode & 0o777).toBe(0o700);
      for (const side of ['-wal', '-shm']) if (existsSync(path + side)) expect(statSync(path + side).mode & 0o777, side).toBe(0o600);
      store.close();
      expect(readdirSync(dirname(path)).filter((n) => n.includes('creating'))).toEqual([]);
    } finally {
      process.umask(old);
    }
  });

  it('kill -9 during creation leaves no file or a complete one', async () => {
    const seed = Number(process.env['SVIRT_KILL9_SEED'] ?? Date.now() % 100000);
    const rng = seededRng(seed);
    let checked = 0;
    for (let round = 0; round < 4; round++) {
      const dir = join(tmp, `kill-${round}`);
      const delay = Math.floor(rng() * 250);
      await killDuringCreation(dir, delay);
      for (const name of readdirSync(dir).filter((n) => /^host-\d+\.db$/.test(n))) {
        const store = openSqliteStore(join(dir, name), { readonly: true });
        expect(store.checkConsistency(), `SVIRT_KILL9_SEED=${seed} round ${round} ${name}`).toEqual([]);
        expect(store.getMeta('next_pid')).toBe('1000');
        store.close();
        checked++;
      }
      // the killed creation's temporary file is removed by the next creation in the directory
      openSqliteStore(join(dir, 'next.db')).close();
      expect(readdirSync(dir).filter((n) => n.includes('.creating-'))).toEqual([]);
    }
    expect(checked).toBeGreaterThan(0);
  }, 120_000);

  it('a blank SQLite file (interrupted in-place initialisation) is initialised, not refused', () => {
    const path = join(tmp, 'blank.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.close();
    expect(statSync(path).size).toBeGreaterThan(0);
    const store = openSqliteStore(path);
    expect(store.checkConsistency()).toEqual([]);
    store.close();
    // a file with anything in it is still not ours and is refused
    const foreign = join(tmp, 'foreign.db');
    const f = new Database(foreign);
    f.exec('CREATE TABLE t (x)');
    f.close();
    expect(() => openSqliteStore(foreign)).toThrow(/not an svirt state file/);
  });
});

describe('read-only state', () => {
  it('lists from a read-only store and refuses every write with E_STATE', () => {
    const path = join(tmp, 'ro.db');
    const rw = openSqliteStore(path);
    const m = new LabelManager({ store: rw, rng: seededRng(1) });
    m.define({ name: 'vm', disks: [{ source: `${IMG}/vm.img` }] });
    m.start('vm');
    rw.close();
    chmodSync(path, 0o444);
    const ro = openSqliteStore(path, { readonly: true });
    expect(ro.readonly).toBe(true);
    expect(ro.listGuests().map((g) => g.state)).toEqual(['running']);
    expect(ro.getFileLabel(`${IMG}/./vm.img`, 'selinux')).toMatch(/svirt_image_t:s0:c\d+,c\d+$/);
    for (const write of [() => ro.setMeta('x', '1'), () => ro.appendAudit('x'), () => ro.transaction(() => 1)]) {
      expect(write).toThrow(SvirtError);
      expect(write).toThrow(/open read-only/);
    }
    ro.close();
    expect(() => openSqliteStore(join(tmp, 'absent.db'), { readonly: true })).toThrow(/does not exist/);
    expect(existsSync(join(tmp, 'absent.db'))).toBe(false);
  });
});

describe('cost per disk is constant (SQL statements counted)', () => {
  /** statements executed by define, start, list, stop of one guest with `n` disks */
  function statements(n: number): Record<'define' | 'start' | 'list' | 'stop', number> {
    const path = join(tmp, `count-${n}.db`);
    let count = 0;
    const store = openSqliteStore(path, { trace: () => void count++ });
    const m = new LabelManager({ store, rng: seededRng(3) });
    const disks = Array.from({ length: n }, (_, i) => ({ source: `${IMG}/g-${i}.img`, ...(i % 3 === 0 ? { backingChain: [{ source: `${IMG}/base.img` }] } : {}) }));
    const step = (fn: () => unknown): number => {
      const before = count;
      fn();
      return count - before;
    };
    const out = {
      define: step(() => m.define({ name: 'g', disks })),
      start: step(() => m.start('g')),
      list: step(() => m.list()),
      stop: step(() => m.stop('g')),
    };
    store.close();
    return out;
  }

  it('each operation is a + b·disks statements', () => {
    const [s30, s60, s120] = [statements(30), statements(60), statements(120)];
    for (const op of ['define', 'start', 'list', 'stop'] as const) {
      const perDisk = (s60[op] - s30[op]) / 30;
      expect((s120[op] - s60[op]) / 60, op).toBe(perDisk);
      expect(perDisk, op).toBeLessThanOrEqual(op === 'list' ? 0 : 12);
    }
  });
});
