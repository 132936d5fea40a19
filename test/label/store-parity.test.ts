/**
 * Differential test: the in-memory store and the SQLite store are two implementations of one
 * contract. Random sequences of manager operations (define, start, stop, destroy, undefine, with
 * failures mixed in) run against both with the same seed must give the same results, the same
 * errors and the same observable state, and keep the invariants. Also: checkConsistency really
 * detects broken invariants, and nested transactions roll back like savepoints in both stores.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LabelManager } from '../../src/label/manager.js';
import { seededRng } from '../../src/label/mcs-alloc.js';
import { createMemoryStore, openSqliteStore, type HostStore } from '../../src/label/store.js';
import { IMG, snapshot } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'svirt-parity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let dbn = 0;

type Op = { kind: 'define' | 'start' | 'stop' | 'destroy' | 'undefine'; guest: number; disk: number; ro: boolean; share: boolean };
const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('define', 'start', 'start', 'stop', 'destroy', 'undefine'),
  guest: fc.integer({ min: 0, max: 5 }),
  disk: fc.integer({ min: 0, max: 3 }),
  ro: fc.boolean(),
  share: fc.boolean(),
});

function apply(m: LabelManager, op: Op): string {
  const name = `vm${op.guest}`;
  try {
    switch (op.kind) {
      case 'define':
        // disks 0..3 are shared between guests on purpose: "already in use" conflicts happen
        m.define({ name, disks: [{ source: `${IMG}/d${op.disk}.img`, readonly: op.ro, shareable: op.share }, { source: `${IMG}/${name}.qcow2` }] });
        return 'ok';
      case 'start':
        return JSON.stringify(m.start(name).live);
      case 'stop':
        return JSON.stringify(m.stop(name).state);
      case 'destroy':
        return JSON.stringify(m.destroy(name));
      case 'undefine':
        m.undefine(name);
        return 'ok';
    }
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

function normalise(s: unknown): unknown {
  // uuids are random per define: compare everything else
  return JSON.parse(JSON.stringify(s, (k, v) => (k === 'uuid' || k === 'startedAt' ? undefined : v)));
}

describe('memory store vs SQLite store', () => {
  it('agree on every operation sequence (results, errors, state) and keep the invariants', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), fc.integer(), (ops, seed) => {
        const mem = createMemoryStore();
        const sql = openSqliteStore(join(tmp, `p${dbn++}.db`));
        try {
          const a = new LabelManager({ store: mem, selinux: { daemonContext: 'system_u:system_r:virtd_t:s0-s0:c0.c7' }, rng: seededRng(seed) });
          const b = new LabelManager({ store: sql, selinux: { daemonContext: 'system_u:system_r:virtd_t:s0-s0:c0.c7' }, rng: seededRng(seed) });
          for (const op of ops) {
            const ra = apply(a, op);
            const rb = apply(b, op);
            expect(rb.replace(/"uuid":"[^"]*",?/g, '')).toBe(ra.replace(/"uuid":"[^"]*",?/g, ''));
          }
          expect(normalise(snapshot(sql))).toEqual(normalise(snapshot(mem)));
          expect(mem.checkConsistency()).toEqual([]);
          expect(sql.checkConsistency()).toEqual([]);
        } finally {
          sql.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  const both = (): HostStore[] => [createMemoryStore(), openSqliteStore(join(tmp, `n${dbn++}.db`))];

  it('nested transactions roll back like savepoints', () => {
    for (const s of both()) {
      s.transaction(() => {
        s.setMeta('a', '1');
        expect(() =>
          s.transaction(() => {
            s.setMeta('b', '2');
            s.setFileLabel('/x', 'selinux', 'u:r:t:s0');
            throw new Error('inner');
          }),
        ).toThrow('inner');
        expect(s.getMeta('b')).toBeUndefined();
        s.setMeta('c', '3');
      });
      expect([s.getMeta('a'), s.getMeta('b'), s.getMeta('c'), s.getFileLabel('/x', 'selinux')]).toEqual(['1', undefined, '3', undefined]);
      expect(() =>
        s.transaction(() => {
          s.rememberLabel('/y', 'selinux', 'orig');
          s.nextPid();
          s.appendAudit('x');
          throw new Error('outer');
        }),
      ).toThrow('outer');
      expect([s.getRemembered('/y', 'selinux'), s.nextPid(), s.listAudit()]).toEqual([undefined, 1000, []]);
      s.close();
    }
  });

  it('remember/recall count references and keep the first original', () => {
    for (const s of both()) {
      expect(s.rememberLabel('/img', 'selinux', 'orig')).toBe(1);
      expect(s.rememberLabel('/img', 'selinux', 'svirt_image_t:s0:c1,c2')).toBe(2);
      expect(s.recallLabel('/img', 'selinux')).toBeUndefined();
      expect(s.getRemembered('/img', 'selinux')).toEqual({ label: 'orig', refs: 1 });
      expect(s.recallLabel('/img', 'selinux')).toBe('orig');
      expect(s.recallLabel('/img', 'selinux')).toBeUndefined();
      expect(s.listRemembered()).toEqual([]);
      s.close();
    }
  });

  it('checkConsistency reports broken invariants', () => {
    for (const s of both()) {
      const m = new LabelManager({ store: s, rng: seededRng(3) });
      m.define({ name: 'a', disks: [{ source: `${IMG}/a.img` }] });
      m.start('a');
      expect(s.checkConsistency()).toEqual([]);
      s.rememberLabel(`${IMG}/a.img`, 'selinux', 'x'); // a reference nobody holds
      s.rememberLabel('/orphan', 'dac', '+0:+0');
      const rec = s.getGuest('a')!;
      s.putGuest({ ...rec, state: 'shutoff' }); // shut off with live labels and a reservation
      const problems = s.checkConsistency().join('\n');
      expect(problems).toMatch(/refs 2 but 0 running user/);
      expect(problems).toMatch(/\/orphan: refs 1 but 0 running user/);
      expect(problems).toMatch(/shut off but has live labels/);
      expect(problems).toMatch(/held by a, which is not running/);
      s.close();
    }
  });
});
