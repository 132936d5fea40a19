/**
 * kill -9 at random moments: a child process starts, stops, destroys and undefines guests (two
 * private images, a backing file and a shared image each) in a loop on the SQLite state file; the
 * parent SIGKILLs it at random points, reopens the file and checks: integrity_check ok, no
 * half-started guest (every running guest has its labels, files and reservation; no image carries
 * a guest label without a running owner), no duplicate labels, remembered refcounts consistent.
 * The next round continues on the same file (after `reconnect`).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRng } from '../../src/label/mcs-alloc.js';
import { openSqliteStore } from '../../src/label/store.js';

const here = dirname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'svirt-kill9-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function killAfterReady(db: string, seed: number, delayMs: number): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'children', 'crash-loop.ts'), [db, 'g', String(seed)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('message', (msg) => {
      if (msg === 'ready') setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(signal) : reject(new Error(`child ended with ${code ?? signal}: ${err}`))));
  });
}

describe('SQLite store under kill -9', () => {
  it('is consistent after every SIGKILL', async () => {
    const db = join(tmp, 'host.db');
    openSqliteStore(db).close();
    const seed = Number(process.env['SVIRT_KILL9_SEED'] ?? Date.now() % 100000);
    const rng = seededRng(seed);
    let lastAudit = 0;
    for (let round = 0; round < 6; round++) {
      const delay = Math.floor(rng() * 400);
      expect(await killAfterReady(db, round + 1, delay)).toBe('SIGKILL');
      const store = openSqliteStore(db);
      expect(store.checkConsistency(), `SVIRT_KILL9_SEED=${seed} round ${round}, killed ${delay} ms after ready`).toEqual([]);
      const guests = store.listGuests();
      const running = guests.filter((g) => g.state === 'running');
      // no duplicate labels among running guests
      const levels = running.map((g) => g.live[0]!.mcsLevel!);
      expect(new Set(levels).size).toBe(levels.length);
      // every running guest is completely started: process label, image labels, reservation
      for (const g of running) {
        const image = g.live[0]!.imageLabel!;
        expect(g.files.filter((f) => f.model === 'selinux' && f.role === 'image').map((f) => f.label)).toEqual([image, image]);
        for (const f of g.files) expect(store.getFileLabel(f.path, f.model)).toBe(f.label);
      }
      // no image carries a guest label without a running owner (no half-started or half-stopped guest)
      const live = new Set(levels);
      for (const f of store.listFileLabels()) {
        const m = /svirt_image_t:(s0:c\d+,c\d+)$/.exec(f.label);
        if (m) expect(live.has(m[1]!), `${f.path} ${f.label}`).toBe(true);
      }
      // the audit log only grows, one record per committed start
      const audit = store.listAudit();
      expect(audit.length).toBeGreaterThanOrEqual(lastAudit);
      lastAudit = audit.length;
      store.close();
    }
    expect(lastAudit).toBeGreaterThan(0);
  }, 120_000);
});
