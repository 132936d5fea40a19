/** SID table semantics (K ss/sidtab.c, services_convert_context) through the facade. */
import { expect, test } from 'vitest';
import { createSecurityServer } from '../../src/security/server.js';
import type { PolicyModel } from '../../src/policy/model.js';
import { svirtExampleBuilder } from '../support/model-builder.js';

function withInitialSids(model: PolicyModel, unlabeled: boolean): PolicyModel {
  model.initialSids = [
    { name: 'kernel', sid: 1, context: { user: 1, role: 2, type: model.types.find((t) => t.name === 'unconfined_t')!.value, range: model.users[0]!.range! } },
    { name: 'security', sid: 2 },
  ];
  if (unlabeled) {
    const nfs = model.types.find((t) => t.name === 'nfs_t')!.value;
    model.initialSids.push({ name: 'unlabeled', sid: 3, context: { user: 1, role: 1, type: nfs, range: { low: model.users[0]!.range!.low, high: model.users[0]!.range!.low } } });
  }
  return model;
}

test('initial SIDs, dense dynamic SIDs from 28, canonical interning', () => {
  const ss = createSecurityServer(withInitialSids(svirtExampleBuilder().build(), true));
  expect(ss.sidToContext(1)).toBe('system_u:system_r:unconfined_t:s0-s0:c0.c1023');
  expect(ss.contextToSid('system_u:system_r:unconfined_t:s0-s0:c0.c1023')).toBe(1);
  expect(ss.sidToContext(3)).toBe('system_u:object_r:nfs_t:s0');
  // an initial SID without a context reads as unlabeled (kernel sidtab_search)
  expect(ss.sidToContext(2)).toBe('system_u:object_r:nfs_t:s0');
  const a = ss.contextToSid('system_u:system_r:svirt_t:s0:c2,c1');
  expect(a).toBe(28);
  expect(ss.contextToSid('system_u:system_r:svirt_t:s0:c1,c2')).toBe(28);
  expect(ss.contextToSid('system_u:system_r:svirt_t:s0:c1,c2-s0:c1,c2')).toBe(28);
  expect(ss.sidToContext(28)).toBe('system_u:system_r:svirt_t:s0:c1,c2');
  expect(ss.contextToSid('system_u:object_r:svirt_image_t:s0:c0.c3')).toBe(29);
  expect(ss.sidToContext(29)).toBe('system_u:object_r:svirt_image_t:s0:c0.c3');
  expect(() => ss.contextToSid('system_u:system_r:no_such_t:s0')).toThrow(/type/);
  expect(ss.contextToSid('system_u:object_r:nfs_t:s0:c7')).toBe(30); // after a failed parse: still dense
});

test('reload: contexts re-resolved by name, invalid ones kept as strings and decided as unlabeled', () => {
  const base = (): ReturnType<typeof svirtExampleBuilder> => svirtExampleBuilder().allow('unconfined_t', 'nfs_t', 'file', ['write']);
  const ss = createSecurityServer(withInitialSids(base().build(), true));
  const u = ss.contextToSid('system_u:unconfined_r:unconfined_t:s0');
  const img = ss.contextToSid('system_u:object_r:svirt_image_t:s0');
  const file = ss.classValue('file');
  const write = ss.permMask(file, ['write']);
  expect(ss.hasPermNoAudit(u, img, file, write)).toBe(true); // unconfined_t → file_type
  // new policy: svirt_image_t no longer exists under that name (renamed), one type added
  const next = withInitialSids(base().type('extra_t', ['file_type']).build(), true);
  const renamed = { ...next, types: next.types.map((t) => (t.name === 'svirt_image_t' ? { ...t, name: 'virt_image_t' } : t)) };
  ss.reload(renamed);
  expect(ss.sidToContext(img)).toBe('system_u:object_r:svirt_image_t:s0'); // kept as a string
  expect(ss.sidToContext(u)).toBe('system_u:unconfined_r:unconfined_t:s0');
  expect(() => ss.contextToSid('system_u:object_r:svirt_image_t:s0')).toThrow();
  // decided as unlabeled (nfs_t): unconfined_t may write nfs_t
  expect(ss.hasPermNoAudit(u, img, file, write)).toBe(true);
  const read = ss.permMask(file, ['getattr']);
  expect(ss.computeAv(u, img, file).allowed).toBe(ss.computeAv(u, 3, file).allowed);
  expect(ss.hasPermNoAudit(u, img, file, read)).toBe(true);
  // the next new SID continues the dense sequence
  expect(ss.contextToSid('system_u:object_r:virt_image_t:s0')).toBe(img + 1);
});

test('an invalid context with no unlabeled SID is denied', () => {
  const ss = createSecurityServer(withInitialSids(svirtExampleBuilder().build(), false));
  const u = ss.contextToSid('system_u:unconfined_r:unconfined_t:s0');
  const img = ss.contextToSid('system_u:object_r:svirt_image_t:s0');
  const file = ss.classValue('file');
  const getattr = ss.permMask(file, ['getattr']);
  expect(ss.hasPermNoAudit(u, img, file, getattr)).toBe(true);
  const m = svirtExampleBuilder().build();
  ss.reload(withInitialSids({ ...m, types: m.types.map((t) => (t.name === 'svirt_image_t' ? { ...t, name: 'gone_t' } : t)) }, false));
  expect(ss.hasPermNoAudit(u, img, file, getattr)).toBe(false);
  expect(ss.computeAv(u, 2, file).allowed).toBe(0); // initial SID without context, no unlabeled
});
