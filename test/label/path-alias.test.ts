/**
 * The path-alias attack (issue: "one file is one file"): a second guest defined on another
 * spelling of a running guest's writable image must not start, and the refusal names the holder;
 * the first guest keeps its image label. Plus the other aliasing routes and their decisions
 * (docs/libvirt-labels.md "Disk locks"): read-only vs writable, a backing layer equal to another
 * guest's top image, one image twice in one domain; what stays allowed (shared with shared, read
 * with read, the same file after its holder stopped).
 */
import { describe, expect, it } from 'vitest';
import { GuestError } from '../../src/errors.js';
import { LabelManager } from '../../src/label/manager.js';
import { seededRng } from '../../src/label/mcs-alloc.js';
import { createMemoryStore } from '../../src/label/store.js';
import type { GuestInput } from '../../src/label/guest-types.js';
import { IMG, snapshot } from './helpers.js';

const SHARED = `${IMG}/shared.img`;
export const ALIASES = [`${IMG}/./shared.img`, `/${IMG}/shared.img`, `${IMG}/../images/shared.img`, `${IMG}/shared.img/`, `${IMG}//x/..//shared.img/.`];

type Disk = NonNullable<GuestInput['disks']>[number];

function manager(): LabelManager {
  return new LabelManager({ store: createMemoryStore(), drivers: ['selinux', 'dac'], rng: seededRng(15) });
}

function refusedKind(fn: () => unknown): GuestError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GuestError);
    expect((err as Error).message).not.toContain('\n');
    return err as GuestError;
  }
  throw new Error('expected a refusal');
}

/** holder `a` runs with `first`; `b` with `second` must be refused naming `a` (store unchanged) */
function expectRefused(first: Disk[], second: Disk[]): GuestError {
  const m = manager();
  m.define({ name: 'a', disks: first });
  m.define({ name: 'b', disks: second });
  const a = m.start('a');
  const before = snapshot(m.store);
  const err = refusedKind(() => m.start('b'));
  expect(err.kind).toBe('disk-in-use');
  expect(err.message).toMatch(/^cannot start guest "b": .* is in use by running guest "a" as /);
  expect(snapshot(m.store)).toEqual(before);
  // the holder keeps its labels
  for (const f of a.files) expect(m.fileLabel(f.path, f.model)).toBe(f.label);
  return err;
}

function expectBothRun(first: Disk[], second: Disk[]): void {
  const m = manager();
  m.define({ name: 'a', disks: first });
  m.define({ name: 'b', disks: second });
  m.start('a');
  expect(m.start('b').state).toBe('running');
  expect(m.store.checkConsistency()).toEqual([]);
}

describe('path-alias attack through the label manager', () => {
  it.each(ALIASES)('a second guest on %s is refused, naming the holder', (alias) => {
    const err = expectRefused([{ source: SHARED }], [{ source: alias }]);
    expect(err.message).toBe(`cannot start guest "b": disk 1 "${SHARED}" (writable) is in use by running guest "a" as disk 1 "${SHARED}" (writable)`);
  });

  it('the spelling is canonical in the stored definition, so both orders are refused', () => {
    const m = manager();
    const b = m.define({ name: 'b', disks: [{ source: ALIASES[0]! }] });
    expect(b.def.disks[0]!.source).toBe(SHARED);
    m.define({ name: 'a', disks: [{ source: SHARED }] });
    m.start('b');
    expect(refusedKind(() => m.start('a')).message).toContain('in use by running guest "b"');
    // after the holder stops, the other may start
    m.stop('b');
    expect(m.start('a').files.find((f) => f.model === 'selinux')!.path).toBe(SHARED);
  });

  it('domain XML sources are canonicalised as well', () => {
    const m = manager();
    m.define({ name: 'a', disks: [{ source: SHARED }] });
    m.define(`<domain type='kvm'><name>b</name><devices><disk type='file'><source file='//var/lib/libvirt/images/./shared.img'/></disk></devices></domain>`);
    m.start('a');
    expect(refusedKind(() => m.start('b')).kind).toBe('disk-in-use');
  });

  it('relative disk paths are refused with a clear error', () => {
    const m = manager();
    const err = refusedKind(() => m.define({ name: 'r', disks: [{ source: 'images/shared.img' }] }));
    expect(err.kind).toBe('bad-definition');
    expect(err.message).toMatch(/^disk 1 of guest "r": source path "images\/shared\.img": must be an absolute path/);
    expect(refusedKind(() => m.define({ name: 'r', disks: [{ source: SHARED, backingChain: [{ source: '../base.img' }] }] })).message).toMatch(/backing layer 1: source path "\.\.\/base\.img": must be an absolute path/);
  });
});

describe('other aliasing routes (lock-manager decisions)', () => {
  it('read-only use of a running writable image is refused, and the reverse too', () => {
    expectRefused([{ source: SHARED }], [{ source: ALIASES[1]!, readonly: true }]);
    expectRefused([{ source: SHARED, readonly: true }], [{ source: ALIASES[2]! }]);
  });

  it("a backing layer equal to another running guest's writable top image is refused, and the reverse", () => {
    const err = expectRefused([{ source: SHARED }], [{ source: `${IMG}/b.qcow2`, backingChain: [{ source: ALIASES[3]! }] }]);
    expect(err.message).toContain(`disk 1 backing layer 1 "${SHARED}" (read-only) is in use by running guest "a" as disk 1 "${SHARED}" (writable)`);
    expectRefused([{ source: `${IMG}/a.qcow2`, backingChain: [{ source: SHARED }] }], [{ source: ALIASES[0]! }]);
  });

  it('shareable with writable is refused; shareable with shareable and read with read run', () => {
    expectRefused([{ source: SHARED, shareable: true }], [{ source: ALIASES[0]! }]);
    expectRefused([{ source: SHARED }], [{ source: ALIASES[0]!, shareable: true }]);
    expectRefused([{ source: SHARED, shareable: true }], [{ source: ALIASES[0]!, readonly: true }]);
    expectBothRun([{ source: SHARED, shareable: true }], [{ source: ALIASES[1]!, shareable: true }]);
    expectBothRun([{ source: SHARED, readonly: true }], [{ source: ALIASES[1]!, readonly: true }]);
    expectBothRun(
      [{ source: `${IMG}/a.qcow2`, backingChain: [{ source: `${IMG}/base.img` }] }],
      [{ source: `${IMG}/b.qcow2`, backingChain: [{ source: `${IMG}/./base.img` }] }],
    );
  });

  it('one image twice in one domain is refused at define unless every use is read-only or shareable', () => {
    const m = manager();
    const twice = refusedKind(() => m.define({ name: 'd', disks: [{ source: SHARED }, { source: ALIASES[0]! }] }));
    expect(twice.kind).toBe('disk-in-use');
    expect(twice.message).toBe(`guest "d": disk 2 "${SHARED}" (writable) is also disk 1 "${SHARED}" (writable) of the same guest`);
    expect(refusedKind(() => m.define({ name: 'd', disks: [{ source: SHARED }, { source: `${IMG}/o.qcow2`, backingChain: [{ source: ALIASES[2]! }] }] })).kind).toBe('disk-in-use');
    expect(refusedKind(() => m.define({ name: 'd', disks: [{ source: SHARED, backingChain: [{ source: ALIASES[2]! }] }] })).kind).toBe('bad-definition');
    expect(m.list()).toEqual([]);
    m.define({ name: 'ok', disks: [{ source: SHARED, readonly: true }, { source: ALIASES[1]!, readonly: true }, { source: `${IMG}/o.qcow2`, backingChain: [{ source: SHARED }] }] });
    expect(m.start('ok').state).toBe('running');
  });
});

describe('disk count limit', () => {
  it('a guest naming more than MAX_GUEST_FILES disk files is refused (E_LIMIT, one line); the limit itself is accepted', async () => {
    const { MAX_GUEST_FILES, normalizeGuest } = await import('../../src/label/guest.js');
    const disks = Array.from({ length: MAX_GUEST_FILES }, (_, i) => ({ source: `${IMG}/d${i}.img` }));
    expect(normalizeGuest({ name: 'many', disks }, 'selinux').disks).toHaveLength(MAX_GUEST_FILES);
    disks[0] = { source: `${IMG}/top.img`, backingChain: [{ source: `${IMG}/base.img` }] } as (typeof disks)[number];
    try {
      normalizeGuest({ name: 'many', disks }, 'selinux');
      throw new Error('expected a refusal');
    } catch (err) {
      expect((err as { code?: string }).code).toBe('E_LIMIT');
      expect((err as Error).message).toBe(`guest "many": ${MAX_GUEST_FILES + 1} disk files (top images plus backing layers) (limit ${MAX_GUEST_FILES} disk files per guest)`);
    }
  });
});
