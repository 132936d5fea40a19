/**
 * Resident batch regions (src/wasm/region.ts): requests kept in Wasm memory and checked by window
 * give the same answers and stats as the copy-in batch path, stay valid across memory growth, and
 * refuse windows outside the region. Also the 32-byte AVC node's u16 class field: a class number
 * of 2^16 or more is never cached and never aliases a cached class.
 */
import { expect, test } from 'vitest';
import { createSecurityServer } from '../../src/security/server.js';
import { WasmEngine } from '../../src/wasm/engine.js';
import { svirtExampleBuilder } from '../support/model-builder.js';

const server = createSecurityServer(svirtExampleBuilder().build());
const guests = Array.from({ length: 8 }, (_, g) => server.contextToSid(`system_u:system_r:svirt_t:s0:c${g},c${g + 10}`));
const images = Array.from({ length: 8 }, (_, g) => server.contextToSid(`system_u:object_r:svirt_image_t:s0:c${g},c${g + 10}`));
const file = server.classValue('file');
const read = server.permMask(file, ['read']);
const getattr = server.permMask(file, ['getattr']);

function engine(): WasmEngine {
  return WasmEngine.create(server.exportImage(), server.exportSidTable(), { slots: 512, threshold: 512, hash: 'murmur' });
}

/** n requests: every guest against every image, read or getattr, with a zero request now and then */
function requests(n: number): { s: Uint32Array; t: Uint32Array; c: Uint32Array; r: Uint32Array } {
  const q = { s: new Uint32Array(n), t: new Uint32Array(n), c: new Uint32Array(n).fill(file), r: new Uint32Array(n) };
  for (let i = 0; i < n; i++) {
    q.s[i] = guests[i % 8]!;
    q.t[i] = images[(i >> 3) % 8]!;
    q.r[i] = i % 97 === 0 ? 0 : i % 3 === 0 ? getattr : read;
  }
  return q;
}

test('windows of a resident region answer like the copy-in batch path, stats included', () => {
  const n = 1000;
  const q = requests(n);
  const a = engine();
  const region = a.createRegion(n);
  const v = region.views();
  v.ssid.set(q.s);
  v.tsid.set(q.t);
  v.tclass.set(q.c);
  v.requested.set(q.r);
  // uneven windows, in order, covering everything twice
  for (let pass = 0; pass < 2; pass++) for (let at = 0; at < n; at += 123) region.run(at, Math.min(123, n - at));

  const b = engine();
  const views = b.batch();
  const expected = new Uint8Array(n);
  for (let pass = 0; pass < 2; pass++) {
    for (let at = 0; at < n; at += 123) {
      const m = Math.min(123, n - at);
      views.ssid.set(q.s.subarray(at, at + m));
      views.tsid.set(q.t.subarray(at, at + m));
      views.tclass.set(q.c.subarray(at, at + m));
      views.requested.set(q.r.subarray(at, at + m));
      b.runBatch(m);
      expected.set(views.out.subarray(0, m), at);
    }
  }
  expect(Array.from(region.views().out)).toEqual(Array.from(expected));
  expect(a.stats()).toEqual(b.stats());
  // own image read granted, others' denied, getattr granted, zero requests denied
  for (let i = 0; i < n; i++) {
    const own = i % 8 === (i >> 3) % 8;
    expect(expected[i], `request ${i}`).toBe(q.r[i] === 0 ? 0 : q.r[i] === getattr || own ? 1 : 0);
  }
});

test('a region keeps its requests across Wasm memory growth (views are re-created)', () => {
  const e = engine();
  const region = e.createRegion(64);
  const before = region.views();
  before.ssid.fill(guests[0]!);
  before.tsid.fill(images[0]!);
  before.tclass.fill(file);
  before.requested.fill(read);
  e.createRegion(1 << 22); // 68 MiB: the memory grows, the old views detach
  expect(before.ssid.length).toBe(0); // detached
  const after = region.views();
  expect(after.ssid.length).toBe(64);
  expect(after.ssid[63]).toBe(guests[0]);
  region.run(0, 64);
  expect(Array.from(region.views().out)).toEqual(new Array(64).fill(1));
});

test('windows outside the region are refused, by the wrapper and by the core', () => {
  const e = engine();
  const region = e.createRegion(16);
  for (const [start, n] of [[-1, 1], [0, 17], [10, 7], [16, 1], [0.5, 1], [0, Number.NaN]] as const) {
    expect(() => region.run(start, n), `[${start}, +${n})`).toThrow(/outside/);
  }
  expect(() => region.run(16, 0)).not.toThrow();
  expect(() => e.createRegion(0)).toThrow(/capacity/);
  // the core itself ignores an out-of-range window: nothing is checked, no answer is written
  region.views().out.fill(7);
  const base = region.views().ssid.byteOffset;
  e.core.checkRegion(base, 16, 10, 7);
  expect(e.stats().lookups).toBe(0);
  expect(Array.from(region.views().out)).toEqual(new Array(16).fill(7));
});

test('a class number of 2^16 or more never aliases a cached class and is never cached', () => {
  const e = engine();
  expect(e.hasPermNoAudit(guests[0]!, images[0]!, file, read)).toBe(true); // cached under class `file`
  const before = e.stats();
  expect(e.hasPermNoAudit(guests[0]!, images[0]!, file + 0x10000, read)).toBe(false);
  const after = e.stats();
  expect(after.misses).toBe(before.misses + 1); // a miss, not a hit on the u16-truncated class
  expect(after.activeNodes).toBe(before.activeNodes); // bad class: denied, not cached
  expect(e.core.avcInsert(guests[1]!, images[1]!, file + 0x10000, read, 0, 0)).toBe(0);
});
