/**
 * Invalidation (K avc_ss_reset, avc_insert): a reload or a boolean change bumps the seqno and
 * flushes the AVC; an insert carrying a seqno older than latest_notif is refused.
 */
import { expect, test } from 'vitest';
import { createSecurityServer } from '../../src/security/server.js';
import { WasmEngine } from '../../src/wasm/engine.js';
import { svirtExampleBuilder } from '../support/model-builder.js';

function setup() {
  const model = svirtExampleBuilder().build();
  const ss = createSecurityServer(model);
  const guest = ss.contextToSid('system_u:system_r:svirt_t:s0:c1,c2');
  const nfs = ss.contextToSid('system_u:object_r:nfs_t:s0');
  const file = ss.classValue('file');
  return { model, ss, guest, nfs, file, read: ss.permMask(file, ['read']) };
}

test('a boolean change re-evaluates cond nodes, bumps the seqno and flushes', () => {
  const { ss, guest, nfs, file, read } = setup();
  expect(ss.seqno).toBe(1);
  expect(ss.hasPermNoAudit(guest, nfs, file, read)).toBe(false); // virt_use_nfs off
  expect(ss.avcStats().activeNodes).toBe(1);
  ss.setBoolean('virt_use_nfs', true);
  expect(ss.getBoolean('virt_use_nfs')).toBe(true);
  expect(ss.seqno).toBe(2);
  expect(ss.avcStats().activeNodes).toBe(0);
  expect(ss.hasPermNoAudit(guest, nfs, file, read)).toBe(true);
  expect(ss.computeAv(guest, nfs, file).seqno).toBe(2);
  ss.setBoolean('virt_use_nfs', false);
  expect(ss.hasPermNoAudit(guest, nfs, file, read)).toBe(false);
  expect(() => ss.setBoolean('no_such_bool', true)).toThrow(/unknown boolean/);
});

test('a reload bumps the seqno, flushes and keeps SIDs', () => {
  const { ss, guest, nfs, file, read } = setup();
  ss.hasPermNoAudit(guest, nfs, file, read);
  const withNfs = svirtExampleBuilder().allow('svirt_t', 'nfs_t', 'file', ['read']).build();
  ss.reload(withNfs);
  expect(ss.seqno).toBe(2);
  expect(ss.avcStats().activeNodes).toBe(0);
  expect(ss.sidToContext(guest)).toBe('system_u:system_r:svirt_t:s0:c1,c2');
  expect(ss.contextToSid('system_u:system_r:svirt_t:s0:c1,c2')).toBe(guest);
  expect(ss.hasPermNoAudit(guest, nfs, file, read)).toBe(true);
});

test('a decision computed under an older seqno is never cached', () => {
  const { ss, guest, nfs, file } = setup();
  const engine = WasmEngine.create(ss.exportImage(), ss.exportSidTable());
  const core = engine.core;
  engine.reset(5); // latest_notif = 5
  expect(core.avcLatestNotif()).toBe(5);
  expect(core.avcInsert(guest, nfs, file, 0xffffffff, 4, 0)).toBe(0); // stale: refused
  expect(engine.stats().activeNodes).toBe(0);
  expect(core.avcInsert(guest, nfs, file, 0xffffffff, 5, 0)).toBe(1);
  expect(engine.stats().activeNodes).toBe(1);
  // the image seqno (1) is older than latest_notif: fresh decisions are served but not cached
  expect(engine.hasPermNoAudit(guest, guest, file, 1)).toBe(false);
  expect(engine.stats()).toMatchObject({ misses: 1, activeNodes: 1 });
  expect(engine.hasPermNoAudit(guest, guest, file, 1)).toBe(false);
  expect(engine.stats()).toMatchObject({ misses: 2, activeNodes: 1 });
  // reset(0) (setenforce 1) flushes but never lowers latest_notif
  engine.reset(0);
  expect(core.avcLatestNotif()).toBe(5);
  expect(engine.stats().activeNodes).toBe(0);
});
