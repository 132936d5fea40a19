/**
 * Permissive "grant once" (K avc_denied → avc_update_node(GRANT)): the first denial is audited with
 * permissive=1 and granted; the node is patched, so the next identical check is silent. Switching
 * to enforcing flushes the grants.
 */
import { expect, test } from 'vitest';
import { createSecurityServer } from '../../src/security/server.js';
import type { AuditRecord } from '../../src/types.js';
import { svirtExampleBuilder } from '../support/model-builder.js';

function setup(enforcing: boolean, permissiveDomain = false) {
  const b = svirtExampleBuilder();
  if (permissiveDomain) b.type('pdom_t', ['domain'], { permissive: true });
  const model = b.build();
  const ss = createSecurityServer(model, { enforcing });
  const records: AuditRecord[] = [];
  ss.onAudit((r) => records.push(r));
  const file = ss.classValue('file');
  return { ss, records, file, read: ss.permMask(file, ['read']) };
}

test('global permissive: first denial audited with permissive=1, second silent', () => {
  const { ss, records, file, read } = setup(false);
  const g = ss.contextToSid('system_u:system_r:svirt_t:s0:c1,c2');
  const other = ss.contextToSid('system_u:object_r:svirt_image_t:s0:c3,c4');
  expect(ss.hasPerm(g, other, file, read, { pid: 42, comm: 'qemu-kvm' })).toBe(true);
  expect(records).toHaveLength(1);
  expect(records[0]!.text).toBe(
    'avc:  denied  { read } for  pid=42 comm="qemu-kvm" scontext=system_u:system_r:svirt_t:s0:c1,c2 tcontext=system_u:object_r:svirt_image_t:s0:c3,c4 tclass=file permissive=1',
  );
  expect(ss.hasPerm(g, other, file, read)).toBe(true);
  expect(records).toHaveLength(1);
  // setenforce 1 flushes the granted node: now denied and audited with permissive=0
  ss.setEnforcing(true);
  expect(ss.avcStats().activeNodes).toBe(0);
  expect(ss.hasPerm(g, other, file, read)).toBe(false);
  expect(records).toHaveLength(2);
  expect(records[1]!.permissive).toBe(false);
  expect(records[1]!.text.endsWith('permissive=0')).toBe(true);
});

test('permissive domain in enforcing mode: same grant-once behaviour, flag in the decision', () => {
  const { ss, records, file, read } = setup(true, true);
  const p = ss.contextToSid('system_u:system_r:pdom_t:s0');
  const img = ss.contextToSid('system_u:object_r:svirt_image_t:s0');
  expect(ss.computeAv(p, img, file).flags & 1).toBe(1);
  expect(ss.hasPerm(p, img, file, read)).toBe(true);
  expect(ss.hasPerm(p, img, file, read)).toBe(true);
  expect(records.map((r) => r.permissive)).toEqual([true]);
  // the unpatched decision still says "not allowed"
  expect(ss.computeAv(p, img, file).allowed & read).toBe(0);
});

test('enforcing: every denial is audited, grants are silent without auditallow', () => {
  const { ss, records, file, read } = setup(true);
  const g = ss.contextToSid('system_u:system_r:svirt_t:s0:c1,c2');
  const mine = ss.contextToSid('system_u:object_r:svirt_image_t:s0:c1,c2');
  const other = ss.contextToSid('system_u:object_r:svirt_image_t:s0:c3,c4');
  expect(ss.hasPerm(g, mine, file, read)).toBe(true);
  expect(ss.hasPerm(g, other, file, read)).toBe(false);
  expect(ss.hasPerm(g, other, file, read)).toBe(false);
  expect(records.map((r) => r.denied)).toEqual([true, true]);
});
