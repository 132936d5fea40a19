/**
 * The core's allocator and SID table refuse sizes that would wrap the 32-bit address space (the
 * raw exports, below the JS argument checks): a wrapped region would overlap the policy image and
 * the SID records, so later writes could change decisions. Each refusal returns 0, and the engine
 * still decides as before.
 */
import { expect, test } from 'vitest';
import { createSecurityServer } from '../../src/security/server.js';
import { WasmEngine } from '../../src/wasm/engine.js';
import { svirtExampleBuilder } from '../support/model-builder.js';

test('regionAlloc and sidReserve sizes that would overflow return 0 and leave the engine intact', () => {
  const ss = createSecurityServer(svirtExampleBuilder().build());
  const g = ss.contextToSid('system_u:system_r:svirt_t:s0:c1,c2');
  const own = ss.contextToSid('system_u:object_r:svirt_image_t:s0:c1,c2');
  const other = ss.contextToSid('system_u:object_r:svirt_image_t:s0:c3,c4');
  const file = ss.classValue('file');
  const read = ss.permMask(file, ['read']);
  const e = WasmEngine.create(ss.exportImage(), ss.exportSidTable());
  const before = e.core.memory.buffer.byteLength;
  // 17 * 0x0f0f0f0f = 2^32 - 1 bytes: p + size used to wrap and hand out a region over live data
  expect(e.core.regionAlloc(0x0f0f0f0f)).toBe(0);
  expect(e.core.regionAlloc(0x0f0f0f10)).toBe(0);
  expect(e.core.regionAlloc(0x0fffffff)).toBe(0);
  // more than 2^31 SIDs used to spin forever doubling a u32 capacity through 0
  expect(e.core.sidReserve(0x80000001)).toBe(0);
  expect(e.core.sidReserve(0xffffffff)).toBe(0);
  expect(e.core.sidReserve(0x800001)).toBe(0);
  expect(e.core.memory.buffer.byteLength).toBe(before);
  expect(e.hasPermNoAudit(g, own, file, read)).toBe(true);
  expect(e.hasPermNoAudit(g, other, file, read)).toBe(false);
  // a normal region still works after the refusals
  const r = e.createRegion(4);
  const v = r.views();
  v.ssid.fill(g);
  v.tsid.set([own, other, own, other]);
  v.tclass.fill(file);
  v.requested.fill(read);
  r.run(0, 4);
  expect([...v.out]).toEqual([1, 0, 1, 0]);
});
