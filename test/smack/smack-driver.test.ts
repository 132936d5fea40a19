import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/label/store.js';
import { LabelManager } from '../../src/label/manager.js';
import { SmackDriver } from '../../src/label/smack.js';
import { SmackRuleSet } from '../../src/smack/rules.js';
import { MAY_READ, MAY_WRITE } from '../../src/smack/access.js';

const IMG = '/var/lib/libvirt/images';

function manager(): LabelManager {
  return new LabelManager({ store: createMemoryStore(), drivers: [new SmackDriver()] });
}

describe('SMACK driver: one label per guest, its images the same', () => {
  it('start labels process and private image alike; guests are isolated without any rule; stop restores', () => {
    const m = manager();
    m.define({ name: 'vm1', uuid: '11111111-1111-4111-8111-111111111111', disks: [{ source: `${IMG}/a.img` }, { source: `${IMG}/base.iso`, readonly: true }, { source: `${IMG}/shared.img`, shareable: true }] });
    m.define({ name: 'vm2', uuid: '22222222-2222-4222-8222-222222222222', disks: [{ source: `${IMG}/b.img` }] });
    expect(m.fileLabel(`${IMG}/a.img`)).toBe('_');
    const r1 = m.start('vm1');
    m.start('vm2');
    const l1 = r1.live[0]!.label!;
    expect(l1).toBe('svirt-11111111-1111-4111-8111-111111111111');
    expect(m.fileLabel(`${IMG}/a.img`)).toBe(l1);
    expect(m.fileLabel(`${IMG}/base.iso`)).toBe('_');
    expect(m.fileLabel(`${IMG}/shared.img`)).toBe('*');

    const rules = new SmackRuleSet(); // no rules at all
    const l2 = m.get('vm2').live[0]!.label!;
    expect(rules.check(l1, m.fileLabel(`${IMG}/a.img`), MAY_READ | MAY_WRITE).allowed).toBe(true);
    expect(rules.check(l1, m.fileLabel(`${IMG}/b.img`), MAY_READ).allowed).toBe(false);
    expect(rules.check(l2, m.fileLabel(`${IMG}/base.iso`), MAY_READ).allowed).toBe(true);
    expect(rules.check(l2, m.fileLabel(`${IMG}/base.iso`), MAY_WRITE).allowed).toBe(false);
    expect(rules.check(l2, m.fileLabel(`${IMG}/shared.img`), MAY_READ | MAY_WRITE).allowed).toBe(true);

    m.stop('vm1');
    expect(m.fileLabel(`${IMG}/a.img`)).toBe('_');
    // read-only and shared files are never restored (other guests may use them)
    expect(m.fileLabel(`${IMG}/shared.img`)).toBe('*');
  });

  it('a static label must be a valid SMACK label', () => {
    const m = manager();
    expect(() => m.define({ name: 'bad', seclabel: { type: 'static', label: '-oops' } })).toThrow(/invalid SMACK label "-oops"/);
    m.define({ name: 'ok', seclabel: { type: 'static', label: 'Guest1', relabel: true }, disks: [{ source: `${IMG}/g.img` }] });
    expect(m.start('ok').live[0]!.label).toBe('Guest1');
    expect(m.fileLabel(`${IMG}/g.img`)).toBe('Guest1');
  });
});
