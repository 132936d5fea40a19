/**
 * The kernel AVC under pressure (K avc.c): a tiny cache and many distinct keys. Answers stay right,
 * lookups = hits + misses, allocations - frees = active nodes, reclaim happens in batches of
 * `reclaim` nodes and the cache stays within threshold + 1.
 */
import { expect, test } from 'vitest';
import { createSecurityServer } from '../../src/security/server.js';
import { svirtExampleBuilder } from '../support/model-builder.js';

function setup(avc: { slots: number; threshold: number; reclaim: number }) {
  const model = svirtExampleBuilder().build();
  const ss = createSecurityServer(model, { avc });
  const guests: number[] = [];
  const images: number[] = [];
  for (let i = 0; i < 40; i++) {
    guests.push(ss.contextToSid(`system_u:system_r:svirt_t:s0:c${i},c${i + 100}`));
    images.push(ss.contextToSid(`system_u:object_r:svirt_image_t:s0:c${i},c${i + 100}`));
  }
  const file = ss.classValue('file');
  return { ss, guests, images, file, read: ss.permMask(file, ['read', 'open']), getattr: ss.permMask(file, ['getattr']) };
}

test('answers stay right and the stats stay consistent while reclaiming', () => {
  const { ss, guests, images, file, read, getattr } = setup({ slots: 8, threshold: 32, reclaim: 16 });
  let reclaimsSeen = 0;
  let prevReclaims = 0;
  for (let round = 0; round < 5; round++) {
    for (let g = 0; g < guests.length; g++) {
      for (let i = 0; i < images.length; i++) {
        // own image: read allowed (h1 dom h2); other guests' images: MCS denies read, getattr survives
        expect(ss.hasPermNoAudit(guests[g]!, images[i]!, file, read)).toBe(g === i);
        expect(ss.hasPermNoAudit(guests[g]!, images[i]!, file, getattr)).toBe(true);
        const st = ss.avcStats();
        expect(st.lookups).toBe(st.hits + st.misses);
        expect(st.allocations - st.frees).toBe(st.activeNodes);
        expect(st.activeNodes).toBeLessThanOrEqual(32 + 1);
        if (st.reclaims !== prevReclaims) {
          // one reclaim pass deletes exactly `reclaim` nodes (the cache holds more than that)
          expect(st.reclaims - prevReclaims).toBe(16);
          prevReclaims = st.reclaims;
          reclaimsSeen++;
        }
      }
    }
  }
  expect(reclaimsSeen).toBeGreaterThan(100);
  const st = ss.avcStats();
  expect(st.hits).toBeGreaterThan(0);
  expect(st.misses).toBeGreaterThan(guests.length * images.length);
});

test('repeated keys hit; hash_stats has the kernel format', () => {
  const { ss, guests, images, file, read } = setup({ slots: 512, threshold: 512, reclaim: 16 });
  for (let k = 0; k < 3; k++) for (let i = 0; i < 10; i++) ss.hasPermNoAudit(guests[i]!, images[i]!, file, read);
  const st = ss.avcStats();
  expect(st).toMatchObject({ lookups: 30, misses: 10, hits: 20, allocations: 10, frees: 0, reclaims: 0, activeNodes: 10 });
  expect(ss.avcHashStats()).toMatch(/^entries: 10\nbuckets used: \d+\/512\nlongest chain: \d+\n$/);
});

test('bad AVC geometry is refused', () => {
  const model = svirtExampleBuilder().build();
  expect(() => createSecurityServer(model, { avc: { slots: 100 } })).toThrow(/power of two/);
  expect(() => createSecurityServer(model, { avc: { threshold: 0 } })).toThrow();
});
