/**
 * Concurrent `svirt host start` of many guests on one state file, with kill -9 of some starters at
 * seeded random moments: never two running guests with one MCS pair, the store stays consistent,
 * and the survivors of the killed starts can be started afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LabelManager } from '../../src/label/manager.js';
import { seededRng } from '../../src/label/mcs-alloc.js';
import { openSqliteStore } from '../../src/label/store.js';
import { CLI_MAIN, HAVE_DIST, ROOT } from './cli-run.js';
import { record } from './tally.js';

const SUITE = 'concurrent-starts';
const tmp = mkdtempSync(join(tmpdir(), 'svirt-adv-conc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const GUESTS = 10;
const SEED = Number(process.env['SVIRT_ADVERSARIAL_SEED'] ?? 0x15c0);

function start(db: string, name: string): { child: ChildProcess; done: Promise<number | NodeJS.Signals> } {
  const child = spawn(process.execPath, [CLI_MAIN, 'host', 'start', name, '--state', db], { cwd: ROOT, stdio: 'ignore' });
  const done = new Promise<number | NodeJS.Signals>((resolve) => child.on('close', (code, signal) => resolve(signal ?? code ?? -1)));
  return { child, done };
}

describe.skipIf(!HAVE_DIST)('concurrent starts with kill -9', () => {
  for (const round of [0]) {
    it(`round ${round}: ${GUESTS} starters, some killed (SVIRT_ADVERSARIAL_SEED=${SEED})`, async () => {
      const db = join(tmp, `host-${round}.db`);
      const rng = seededRng(SEED + round);
      const setup = openSqliteStore(db);
      const m = new LabelManager({ store: setup, drivers: ['selinux', 'dac'], rng });
      for (let i = 0; i < GUESTS; i++) {
        m.define({ name: `g${i}`, disks: [{ source: `/var/lib/libvirt/images/g${i}.qcow2` }, { source: '/var/lib/libvirt/images/common.iso', readonly: true }] });
      }
      setup.close();
      const runs = Array.from({ length: GUESTS }, (_, i) => start(db, `g${i}`));
      const kills: Array<Promise<void>> = [];
      for (const [i, r] of runs.entries()) {
        if (rng() < 0.35) {
          const delay = Math.floor(rng() * 1200);
          kills.push(new Promise((resolve) => setTimeout(() => resolve(void r.child.kill('SIGKILL')), delay)));
          void i;
        }
      }
      await Promise.all(kills);
      const results = await Promise.all(runs.map((r) => r.done));
      expect(results.every((x) => x === 0 || x === 'SIGKILL'), `exit statuses ${results.join(',')}`).toBe(true);

      const store = openSqliteStore(db);
      try {
        expect(store.checkConsistency()).toEqual([]);
        const after = new LabelManager({ store, drivers: ['selinux', 'dac'], rng: seededRng(SEED + 100 + round) });
        after.reconnect();
        // the killed ones can be started now
        for (let i = 0; i < GUESTS; i++) if (store.getGuest(`g${i}`)!.state !== 'running') after.start(`g${i}`);
        const running = store.listGuests().filter((gr) => gr.state === 'running');
        expect(running.length).toBe(GUESTS);
        const levels = running.map((gr) => gr.live.find((l) => l.model === 'selinux')!.mcsLevel!);
        const duplicates = levels.length - new Set(levels).size;
        for (let k = 0; k < GUESTS; k++) record(SUITE, 'ok', `round ${round} start g${k}`);
        if (duplicates > 0) record(SUITE, 'duplicate-label', `round ${round}: ${duplicates} duplicate MCS pair(s)`);
        expect(duplicates).toBe(0);
        const images = store.listFileLabels('/var/lib/libvirt/images/g').filter((f) => f.model === 'selinux');
        expect(new Set(images.map((f) => f.label)).size).toBe(images.length);
      } finally {
        store.close();
      }
    });
  }
});
