/**
 * LabelManager lifecycle and errors: unknown guest, second start, stop of a stopped guest,
 * malformed seclabels and labels, uuid conflicts, undefine of a running guest — each a typed error
 * that leaves the store exactly as it was. Static reservations are respected by dynamic guests,
 * exhaustion is a typed error, and a new manager (restart) on the same SQLite file re-reserves the
 * running guests' labels.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GuestError, SvirtError } from '../../src/errors.js';
import { LabelManager } from '../../src/label/manager.js';
import { seededRng } from '../../src/label/mcs-alloc.js';
import { createMemoryStore, openSqliteStore } from '../../src/label/store.js';
import { IMG, snapshot } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'svirt-mgr-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** a pool of 8 categories: 28 pairs */
const SMALL = { daemonContext: 'system_u:system_r:virtd_t:s0-s0:c0.c7' };

function expectKind(fn: () => unknown, kind: string, message?: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GuestError);
    expect((err as GuestError).kind).toBe(kind);
    if (message) expect((err as Error).message).toMatch(message);
    return;
  }
  throw new Error(`expected a GuestError of kind ${kind}`);
}

describe('LabelManager errors leave the store as it was', () => {
  const store = createMemoryStore();
  const m = new LabelManager({ store, rng: seededRng(7) });
  m.define({ name: 'vm1', disks: [{ source: `${IMG}/vm1.qcow2` }] });
  m.start('vm1');
  m.define({ name: 'vm2' });

  const cases: Array<[string, () => unknown, string, RegExp?]> = [
    ['start of an unknown guest', () => m.start('nope'), 'unknown-guest', /guest "nope" is not defined/],
    ['stop of an unknown guest', () => m.stop('nope'), 'unknown-guest'],
    ['second start of a running guest', () => m.start('vm1'), 'already-running', /already running/],
    ['stop of a stopped guest', () => m.stop('vm2'), 'not-running'],
    ['undefine of a running guest', () => m.undefine('vm1'), 'already-running'],
    ['redefine of a running guest', () => m.define({ name: 'vm1' }), 'already-running'],
    ['dynamic + relabel=no', () => m.define({ name: 'x', seclabel: { type: 'dynamic', relabel: false } }), 'bad-seclabel', /dynamic label type must use resource relabeling/],
    ['none + relabel=yes', () => m.define({ name: 'x', seclabel: { type: 'none', relabel: true } }), 'bad-seclabel', /not compatible with 'none'/],
    ['static without a label', () => m.define({ name: 'x', seclabel: { type: 'static' } }), 'bad-seclabel', /security label is missing/],
    ['dynamic with a label', () => m.define({ name: 'x', seclabel: { type: 'dynamic', label: 'system_u:system_r:svirt_t:s0:c1,c2' } }), 'bad-seclabel'],
    ['static with a baselabel', () => m.define({ name: 'x', seclabel: { type: 'static', label: 'system_u:system_r:svirt_t:s0:c1,c2', baseLabel: 'a:b:c' } }), 'bad-seclabel'],
    ['bad type', () => m.define({ name: 'x', seclabel: { type: 'weird' as 'static' } }), 'bad-seclabel'],
    ['two seclabels for one model', () => m.define({ name: 'x', seclabels: [{ type: 'dynamic' }, { type: 'none' }] }), 'bad-seclabel', /more than one seclabel/],
    ['unknown model', () => m.define({ name: 'x', seclabels: [{ model: 'apparmor', type: 'dynamic' }] }), 'unsupported', /apparmor/],
    ['disk label with relabel=no', () => m.define({ name: 'x', disks: [{ source: '/a', seclabels: [{ relabel: false, label: 'a:b:c:s0' }] }] }), 'bad-seclabel', /Cannot specify a label/],
    ['relative disk path', () => m.define({ name: 'x', disks: [{ source: 'a.img' }] }), 'bad-definition', /absolute/],
    ['backing loop', () => m.define({ name: 'x', disks: [{ source: '/a', backingChain: [{ source: '/b' }, { source: '/a' }] }] }), 'bad-definition', /loops/],
    ['name with a slash', () => m.define({ name: 'a/b' }), 'bad-definition'],
    ['malformed uuid', () => m.define({ name: 'x', uuid: 'not-a-uuid' }), 'bad-definition', /malformed uuid/],
    ['uuid of another guest', () => m.define({ name: 'x', uuid: m.get('vm1').def.uuid }), 'uuid-conflict'],
    ['same name, other uuid', () => m.define({ name: 'vm2', uuid: '00000000-0000-4000-8000-000000000001' }), 'uuid-conflict'],
  ];
  for (const [what, fn, kind, re] of cases) {
    it(what, () => {
      const before = snapshot(store);
      expectKind(fn, kind, re);
      expect(snapshot(store)).toEqual(before);
    });
  }

  it('malformed labels are clear E_LABEL errors naming what was wrong', () => {
    for (const [label, re] of [
      ['svirt_t', /expected user:role:type/],
      ['system_u:system_r:svirt_t:s0:c1,c2000', /category above c1023/],
      ['system_u:system_r:svirt t:s0', /invalid type/],
      ['system_u:system_r:svirt_t:s0:c5-s0', /does not dominate/],
    ] as const) {
      const before = snapshot(store);
      expect(() => m.define({ name: 'x', seclabel: { type: 'static', label } })).toThrow(re);
      expect(snapshot(store)).toEqual(before);
    }
    expect(() => m.define({ name: 'x', disks: [{ source: '/a', seclabels: [{ label: 'bogus' }] }] })).toThrow(/disk 1 label of guest "x"/);
    const dac = new LabelManager({ store: createMemoryStore(), drivers: ['dac'] });
    expect(() => dac.define({ name: 'x', seclabel: { type: 'static', label: 'qemu' } })).toThrow(/invalid DAC label "qemu"/);
  });

  it('keeps the uuid on redefinition without one; undefine removes a stopped guest', () => {
    const uuid = m.get('vm2').def.uuid;
    expect(m.define({ name: 'vm2', disks: [{ source: `${IMG}/vm2.img` }] }).def.uuid).toBe(uuid);
    m.undefine('vm2');
    expectKind(() => m.get('vm2'), 'unknown-guest');
  });
});

describe('MCS reservations through the manager', () => {
  it('a dynamic guest never draws a running static guest pair; exhaustion is typed and harmless', () => {
    const store = createMemoryStore();
    const m = new LabelManager({ store, drivers: ['selinux'], selinux: SMALL, rng: seededRng(11) });
    m.define({ name: 'static', seclabel: { type: 'static', label: 'system_u:system_r:svirt_t:s0:c1,c2' } });
    m.start('static');
    const levels = new Set<string>();
    for (let i = 0; i < 27; i++) {
      m.define({ name: `d${i}` });
      const live = m.start(`d${i}`).live[0]!;
      expect(live.mcsLevel).not.toBe('s0:c1,c2');
      levels.add(live.mcsLevel!);
    }
    expect(levels.size).toBe(27);
    m.define({ name: 'overflow' });
    const before = snapshot(store);
    try {
      m.start('overflow');
      throw new Error('expected exhaustion');
    } catch (err) {
      expect((err as SvirtError).code).toBe('E_ALLOC_EXHAUSTED');
    }
    expect(snapshot(store)).toEqual(before);
    // stopping one frees exactly its pair
    const freed = m.get('d5').live[0]!.mcsLevel;
    m.stop('d5');
    expect(m.start('overflow').live[0]!.mcsLevel).toBe(freed);
    expect(store.checkConsistency()).toEqual([]);
  });

  it('a static label equal to a running dynamic label is refused; static labels may be shared', () => {
    const store = createMemoryStore();
    const m = new LabelManager({ store, drivers: ['selinux'], rng: seededRng(5) });
    m.define({ name: 'dyn' });
    const level = m.start('dyn').live[0]!.mcsLevel!;
    m.define({ name: 'clash', seclabel: { type: 'static', label: `system_u:system_r:svirt_t:${level}` } });
    expectKind(() => m.start('clash'), 'label-in-use', /in use by the dynamic label of guest "dyn"/);
    // single-category and out-of-pool static labels are reserved as given, and can be shared
    for (const name of ['s1', 's2']) {
      m.define({ name, seclabel: { type: 'static', label: 'system_u:system_r:svirt_t:s0:c5' } });
      m.start(name);
    }
    expect(store.mcsHolders('s0:c5').map((r) => r.guest).sort()).toEqual(['s1', 's2']);
    m.stop('s1');
    expect(store.mcsHolders('s0:c5').map((r) => r.guest)).toEqual(['s2']);
    expect(store.checkConsistency()).toEqual([]);
  });

  it('type none guests get no process label, an s0 image label, and no reservation', () => {
    const store = createMemoryStore();
    const m = new LabelManager({ store, drivers: ['selinux'] });
    m.define({ name: 'free', seclabel: { type: 'none' }, disks: [{ source: `${IMG}/free.img` }] });
    const r = m.start('free');
    expect(r.live[0]).toMatchObject({ type: 'none', relabel: false, imageLabel: 'system_u:object_r:svirt_image_t:s0' });
    expect(r.live[0]!.label).toBeUndefined();
    expect(r.files).toEqual([]);
    expect(store.listMcs()).toEqual([]);
    const confined = new LabelManager({ store: createMemoryStore(), drivers: ['selinux'], requireConfined: true });
    expectKind(() => confined.define({ name: 'free', seclabel: { type: 'none' } }), 'bad-seclabel', /Unconfined guests are not allowed/);
    const unconfinedHost = new LabelManager({ store: createMemoryStore(), drivers: ['selinux'], defaultConfined: false });
    unconfinedHost.define({ name: 'plain' });
    expect(unconfinedHost.start('plain').live).toEqual([]);
  });

  it('a second writer on a running guest image is refused naming the holder, and changes nothing', () => {
    const store = createMemoryStore();
    const m = new LabelManager({ store, drivers: ['selinux'], rng: seededRng(9) });
    m.define({ name: 'a', disks: [{ source: `${IMG}/same.img` }] });
    m.define({ name: 'b', disks: [{ source: `${IMG}/same.img` }] });
    m.start('a');
    const before = snapshot(store);
    expectKind(() => m.start('b'), 'disk-in-use', /^cannot start guest "b": disk 1 ".*\/same\.img" \(writable\) is in use by running guest "a" as disk 1 ".*\/same\.img" \(writable\)$/);
    expect(snapshot(store)).toEqual(before);
  });

  it('after a restart (new manager on the same SQLite file) running guests keep their pairs', () => {
    const path = join(tmp, 'restart.db');
    const s1 = openSqliteStore(path);
    const m1 = new LabelManager({ store: s1, drivers: ['selinux'], selinux: SMALL, rng: seededRng(1) });
    const held = new Set<string>();
    for (let i = 0; i < 20; i++) {
      m1.define({ name: `g${i}` });
      held.add(m1.start(`g${i}`).live[0]!.mcsLevel!);
    }
    s1.close();
    const s2 = openSqliteStore(path);
    const m2 = new LabelManager({ store: s2, drivers: ['selinux'], selinux: SMALL, rng: seededRng(1) });
    expect(m2.reconnect().length).toBe(20);
    for (let i = 20; i < 28; i++) {
      m2.define({ name: `g${i}` });
      const level = m2.start(`g${i}`).live[0]!.mcsLevel!;
      expect(held.has(level)).toBe(false);
      held.add(level);
    }
    m2.define({ name: 'g28' });
    expect(() => m2.start('g28')).toThrow(/all 28 category pairs are in use/);
    expect(s2.checkConsistency()).toEqual([]);
    s2.close();
  });
});
