/**
 * Several processes allocate on one SQLite state file at the same time, each with its own
 * connection and its own in-memory allocator: the store is the arbiter, so no two live guests ever
 * share an MCS pair, and the invariants (refcounts, reservations) hold afterwards.
 * The pool is deliberately small (16 categories, 120 pairs) so that collisions are frequent.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/label/store.js';

const here = dirname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'svirt-multi-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function runChild(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'children', script), args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

describe('several processes allocating on one SQLite file', () => {
  it('never gives two live guests one pair', async () => {
    const db = join(tmp, 'host.db');
    openSqliteStore(db).close(); // create the schema once
    const procs = 4;
    const perProc = 40; // 160 starts, 2/3 stay running: 108 live guests of 120 pairs
    const outs = await Promise.all(Array.from({ length: procs }, (_, p) => runChild('allocate.ts', [db, `p${p}`, String(perProc), String(1000 + p)])));
    expect(outs.map((o) => JSON.parse(o).started)).toEqual(new Array(procs).fill(perProc));
    const store = openSqliteStore(db);
    const running = store.listGuests().filter((g) => g.state === 'running');
    expect(running.length).toBe(procs * (perProc - Math.floor(perProc / 3)));
    const levels = running.map((g) => g.live.find((l) => l.model === 'selinux')!.mcsLevel!);
    expect(new Set(levels).size).toBe(levels.length);
    for (const level of levels) expect(level).toMatch(/^s0:c(\d|1[0-5]),c(\d|1[0-5])$/);
    expect(store.listMcs().length).toBe(levels.length);
    expect(store.checkConsistency()).toEqual([]);
    store.close();
  }, 120_000);
});
