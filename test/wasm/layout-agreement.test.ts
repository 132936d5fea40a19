/** Every layout constant exists on both sides of the Wasm boundary with the same value. */
import { expect, test } from 'vitest';
import { instantiateCore } from '../../src/wasm/loader.js';
import * as L from '../../src/wasm/layout.js';

test('src/wasm/layout.ts mirrors assembly/layout.ts exactly', () => {
  const core = instantiateCore() as unknown as Record<string, unknown>;
  const wasmConstants = Object.entries(core).filter(([, v]) => typeof v === 'object' && v !== null && 'value' in v);
  const ts = Object.entries(L);
  expect(ts.length).toBeGreaterThan(100);
  // same names on both sides
  expect(wasmConstants.map(([k]) => k).sort()).toEqual(ts.map(([k]) => k).sort());
  // same values (Wasm u32 globals arrive as signed i32)
  for (const [name, value] of ts) {
    const g = core[name] as { value: number };
    expect(g.value >>> 0, name).toBe(value);
  }
});

test('records are 16-byte aligned where the core uses v128 loads', () => {
  expect(L.SID_REC_SIZE % 16).toBe(0);
  expect(L.SID_LOW % 16).toBe(0);
  expect(L.SID_HIGH % 16).toBe(0);
  expect(L.LEVEL_CATS % 16).toBe(0);
  expect(L.LEVEL_SIZE % 16).toBe(0);
  expect(L.CATS_SIZE).toBe(128);
});
