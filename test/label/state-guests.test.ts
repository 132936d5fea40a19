/**
 * `svirt stress --state FILE` (src/sim/state-guests.ts) reads the label manager's store read-only
 * and names each image by its canonical path, also for records written before paths were
 * canonical (simulated here by storing such a record directly).
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LabelManager } from '../../src/label/manager.js';
import { seededRng } from '../../src/label/mcs-alloc.js';
import { openSqliteStore } from '../../src/label/store.js';
import { guestsFromState } from '../../src/sim/state-guests.js';
import { IMG } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'svirt-state-guests-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('guestsFromState', () => {
  it('canonical image paths from a read-only state file, which is left unchanged', () => {
    const path = join(tmp, 'host.db');
    const store = openSqliteStore(path);
    const m = new LabelManager({ store, drivers: ['selinux'], rng: seededRng(4) });
    m.define({ name: 'vm', disks: [{ source: `${IMG}/vm.img` }] });
    const rec = m.start('vm');
    // an old record: the same file under a non-canonical spelling
    store.putGuest({ ...rec, files: rec.files.map((f) => ({ ...f, path: `/${IMG}/./vm.img/` })) });
    store.close();
    chmodSync(path, 0o444);
    const before = sha(path);
    const { guests } = guestsFromState(path, 4);
    expect(guests).toHaveLength(1);
    expect(guests[0]!.paths).toEqual([`${IMG}/vm.img`]);
    expect(guests[0]!.images).toEqual([rec.live[0]!.imageLabel]);
    expect(sha(path)).toBe(before);
  });
});
