/**
 * Listing the host is linear in disks, counted rather than timed: the memory store keeps records
 * by reference, so a guest whose disk list counts its element reads shows how many times
 * `refresh` (run by every host command, `host ps` included) walks the disks. The count per disk
 * must be the same at 50, 100 and 200 disks (a search of all disks per disk would grow with n).
 */
import { describe, expect, it } from 'vitest';
import { parsePolicyText } from '../../src/policy/load.js';
import { createSecurityServer } from '../../src/security/server.js';
import { createMemoryStore } from '../../src/label/store.js';
import { LabelManager } from '../../src/label/manager.js';
import { seededRng } from '../../src/label/mcs-alloc.js';
import type { DiskDef } from '../../src/label/guest-types.js';
import { SimulatedHost } from '../../src/host/host.js';
import { HOST_TEST_POLICY } from './fixtures-policy.js';

const model = parsePolicyText(HOST_TEST_POLICY, 'host-test.conf');
const IMG = '/var/lib/libvirt/images';

/** element reads of the disk list while a host is opened over a guest with `n` disks */
function diskReads(n: number): number {
  const store = createMemoryStore();
  const manager = new LabelManager({ store, policy: model, drivers: ['selinux'], rng: seededRng(2), selinux: { daemonContext: 'system_u:system_r:virtd_t:s0-s0:c0.c15' } });
  const rec = manager.define({ name: 'big', disks: Array.from({ length: n }, (_, i) => ({ source: `${IMG}/d${i}.img`, ...(i % 2 ? { readonly: true } : {}) })) });
  let reads = 0;
  const disks = new Proxy([...rec.def.disks], {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && /^\d+$/.test(prop)) reads++;
      return Reflect.get(target, prop, receiver) as unknown;
    },
  }) as DiskDef[];
  store.putGuest({ ...rec, def: { ...rec.def, disks } });
  const host = new SimulatedHost({ store, manager, server: createSecurityServer(model), daemonContext: 'system_u:system_r:virtd_t:s0-s0:c0.c15' });
  expect(host.ps()[0]).toMatch(/^LABEL/);
  expect(host.ls(IMG)).toHaveLength(n);
  return reads;
}

describe('host listing cost', () => {
  it('reads each disk a constant number of times', () => {
    const [r50, r100, r200] = [diskReads(50), diskReads(100), diskReads(200)];
    expect(r50).toBeGreaterThan(0);
    expect(r100 / 100).toBe(r50 / 50);
    expect(r200 / 200).toBe(r50 / 50);
  });
});
