/**
 * Labels are validated against the loaded policy (parseContext: users, roles, types, MLS range and
 * the user/role/type authorisations) and stored in kernel-canonical form; a label the policy
 * rejects is a clear E_CONTEXT error naming the guest and the offending part, with the store left
 * as it was. Uses Debian's compiled refpolicy (policy.33) through the binary reader.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SvirtError } from '../../src/errors.js';
import { LabelManager } from '../../src/label/manager.js';
import { seededRng } from '../../src/label/mcs-alloc.js';
import { embeddedFileContextsDir, loadFileContexts } from '../../src/labeling/load.js';
import { createMemoryStore } from '../../src/label/store.js';
import { loadPolicyFile } from '../../src/policy/load.js';
import { IMG, snapshot } from './helpers.js';

const POLICY = '/etc/selinux/default/policy/policy.33';
const have = existsSync(POLICY);
if (!have) console.warn(`SKIPPING policy-validation: ${POLICY} missing — apt-get install selinux-policy-default checkpolicy libsepol-dev`);

describe.skipIf(!have)('label validation against the Debian policy', () => {
  const policy = have ? loadPolicyFile(POLICY) : undefined;
  const manager = (): LabelManager => new LabelManager({ store: createMemoryStore(), policy: policy!, rng: seededRng(4) });

  it('accepts sVirt labels and stores them canonically', () => {
    const m = manager();
    m.define({ name: 'a', disks: [{ source: `${IMG}/a.img` }] });
    const live = m.start('a').live[0]!;
    expect(live.label).toMatch(/^system_u:system_r:svirt_t:s0:c\d+,c\d+$/);
    m.define({ name: 'b', seclabel: { type: 'static', relabel: true, label: 'system_u:system_r:svirt_t:s0:c9,c3' }, disks: [{ source: `${IMG}/b.img` }] });
    const b = m.start('b');
    expect(b.live[0]!.label).toBe('system_u:system_r:svirt_t:s0:c3,c9');
    expect(b.files[0]!.label).toBe('system_u:object_r:svirt_image_t:s0:c3,c9');
  });

  it("the embedded policy's file_contexts (the restore defaults) are valid in Debian's policy", () => {
    expect(loadFileContexts(embeddedFileContextsDir(), { policy: policy! }).size).toBeGreaterThan(10);
    // and the manager over Debian's policy restores to them, canonical
    expect(manager().defaultLabel('/var/lib/libvirt/images/x.img', 'selinux')).toBe('system_u:object_r:virt_image_t:s0');
  });

  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['unknown type', { seclabel: { type: 'static', label: 'system_u:system_r:no_such_t:s0:c1,c2' } }, /static label of guest "x": invalid context .* \(type\): unknown type "no_such_t"/],
    ['unknown user', { seclabel: { type: 'static', label: 'nobody_u:system_r:svirt_t:s0:c1,c2' } }, /unknown user/],
    ['role not authorised for the type', { seclabel: { type: 'static', label: 'system_u:user_r:svirt_t:s0:c1,c2' } }, /static label of guest "x"/],
    ['category beyond the policy', { seclabel: { type: 'static', label: 'system_u:system_r:svirt_t:s0:c1,c1024' } }, /static label of guest "x"/],
    ['baselabel type missing from the policy (no svirt_tcg_t in refpolicy)', { seclabel: { type: 'dynamic', baseLabel: 'system_u:system_r:svirt_tcg_t:s0' } }, /baselabel of guest "x".*svirt_tcg_t/],
    ['disk override label', { disks: [{ source: '/a', seclabels: [{ label: 'system_u:object_r:bogus_t:s0' }] }] }, /disk 1 label of guest "x" \("\/a"\)/],
  ];
  for (const [what, extra, re] of bad) {
    it(`rejects: ${what}`, () => {
      const m = manager();
      const before = snapshot(m.store);
      try {
        m.define({ name: 'x', ...extra });
        throw new Error('expected a rejection');
      } catch (err) {
        expect(err).toBeInstanceOf(SvirtError);
        expect((err as SvirtError).code).toBe('E_CONTEXT');
        expect((err as Error).message).toMatch(re);
      }
      expect(snapshot(m.store)).toEqual(before);
    });
  }
});
