/**
 * One file is one file: a running guest's writable image spelled another way (`./`, `//`, `..`,
 * trailing `/`) is the same image. A second guest's start on it is refused naming the holder, and
 * the first guest's image keeps its label — through the library API and the CLI.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SvirtError } from '../../src/errors.js';
import { LabelManager } from '../../src/label/manager.js';
import { seededRng } from '../../src/label/mcs-alloc.js';
import { createMemoryStore, openSqliteStore } from '../../src/label/store.js';
import { expectRefused, svirt } from './cli-run.js';
import { classifyThrown, record } from './tally.js';

const SUITE = 'path-alias';
const IMAGE = '/var/lib/libvirt/images/shared.img';
export const ALIASES = [
  IMAGE,
  '/var/lib/libvirt/images/./shared.img',
  '//var/lib/libvirt/images/shared.img',
  '/var/lib/libvirt//images/shared.img',
  '/var/lib/libvirt/images/../images/shared.img',
  '/var/lib/libvirt/images/x/../shared.img',
  '/var/lib/libvirt/images/shared.img/',
  '/./var/lib/libvirt/images/shared.img',
  '/../var/lib/libvirt/images/shared.img',
];

const tmp = mkdtempSync(join(tmpdir(), 'svirt-adv-alias-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function manager(sqlite: boolean, n: number): LabelManager {
  const store = sqlite ? openSqliteStore(join(tmp, `lib-${n}.db`)) : createMemoryStore();
  return new LabelManager({ store, drivers: ['selinux', 'dac'], rng: seededRng(1500 + n) });
}

describe('path-alias attack through the label manager', () => {
  let n = 0;
  for (const sqlite of [false, true]) {
    for (const [holderPath, attackerPath] of [
      ...ALIASES.map((a) => [IMAGE, a] as const),
      ...ALIASES.slice(1).map((a) => [a, IMAGE] as const),
    ]) {
      const k = n++;
      it(`${sqlite ? 'sqlite' : 'memory'}: holder ${holderPath}, second guest ${attackerPath}`, () => {
        const m = manager(sqlite, k);
        try {
          m.define({ name: 'holder', disks: [{ source: holderPath }] });
          const holder = m.start('holder');
          const holderImage = holder.live.find((l) => l.model === 'selinux')!.imageLabel!;
          expect(m.fileLabel(IMAGE)).toBe(holderImage);
          const what = `library ${sqlite ? 'sqlite' : 'memory'} ${holderPath} vs ${attackerPath}`;
          let defined = true;
          try {
            m.define({ name: 'intruder', disks: [{ source: attackerPath }] });
          } catch (err) {
            // refusing the spelling itself is also safe, if typed (canonicalising it is what the issue asks)
            defined = false;
            record(SUITE, classifyThrown(err), `${what} (define refused)`);
            expect(err).toBeInstanceOf(SvirtError);
          }
          if (defined) {
            let thrown: unknown;
            try {
              m.start('intruder');
            } catch (err) {
              thrown = err;
            }
            if (thrown === undefined) {
              record(SUITE, 'wrong-allow', `${what}: second guest started on the holder's image`);
              expect.fail(`${what}: the second guest started on a running guest's writable image`);
            }
            record(SUITE, classifyThrown(thrown), what);
            expect(thrown).toBeInstanceOf(SvirtError);
            const message = (thrown as Error).message;
            expect(message, 'the refusal names the guest holding the image').toContain('holder');
            expect(message).not.toContain('\n');
            expect(m.get('intruder').state).toBe('shutoff');
          }
          // the holder keeps its image and its label
          expect(m.fileLabel(IMAGE)).toBe(holderImage);
          expect(m.get('holder').state).toBe('running');
        } finally {
          m.store.close();
        }
      });
    }
  }

  it('a shareable image may be used by both guests (not an over-refusal)', () => {
    const m = manager(false, 999);
    m.define({ name: 'a', disks: [{ source: IMAGE, shareable: true }] });
    m.define({ name: 'b', disks: [{ source: '/var/lib/libvirt/images/./shared.img', shareable: true }] });
    m.start('a');
    expect(m.start('b').state).toBe('running');
    record(SUITE, 'ok', 'shareable image used by two guests');
  });
});

describe('path-alias attack through the CLI (svirt host define/start --state)', () => {
  for (const alias of ALIASES) {
    it(`second guest on ${alias}`, async () => {
      const state = join(tmp, `cli-${ALIASES.indexOf(alias)}.db`);
      expect((await svirt('host', 'define', '--name', 'holder', '--disk', IMAGE, '--state', state)).code).toBe(0);
      expect((await svirt('host', 'start', 'holder', '--state', state)).code).toBe(0);
      const before = openSqliteStore(state);
      const holderImage = before.getGuest('holder')!.live.find((l) => l.model === 'selinux')!.imageLabel!;
      before.close();
      const define = await svirt('host', 'define', '--name', 'intruder', '--disk', alias, '--state', state);
      const start = define.code === 0 ? await svirt('host', 'start', 'intruder', '--state', state) : define;
      const what = `cli ${alias}`;
      if (start.code === 0) record(SUITE, 'wrong-allow', `${what}: second guest started on the holder's image`);
      else expectRefused(SUITE, what, start);
      expect(start.code, `${what}: ${start.out}${start.err}`).toBe(2);
      expect(start.err).toContain('holder');
      const after = openSqliteStore(state);
      try {
        expect(after.getFileLabel(IMAGE, 'selinux')).toBe(holderImage);
        expect(after.getGuest('holder')!.state).toBe('running');
        expect(after.getGuest('intruder')?.state ?? 'shutoff').toBe('shutoff');
      } finally {
        after.close();
      }
    });
  }
});
