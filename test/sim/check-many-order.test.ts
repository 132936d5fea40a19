/** checkMany: very large batches through the pool come back in order and equal the server's answers. */
import { describe, expect, it } from 'vitest';
import { CheckPool } from '../../src/sim/check-many.js';
import { loadPolicyFile } from '../../src/policy/load.js';
import { createSecurityServer } from '../../src/security/server.js';
import { Sfc32 } from '../../src/sim/prng.js';
import { simPolicyPath } from './helpers.js';

describe('checkMany', () => {
  it('returns the decisions of 300k mixed queries in order, identical to the security server', async () => {
    const server = createSecurityServer(loadPolicyFile(simPolicyPath()));
    const sids: number[] = [];
    for (let g = 0; g < 20; g++) {
      sids.push(server.contextToSid(`system_u:system_r:svirt_t:s0:c${g},c${g + 100}`));
      sids.push(server.contextToSid(`system_u:object_r:svirt_image_t:s0:c${g},c${g + 100}`));
    }
    sids.push(server.contextToSid('system_u:object_r:shadow_t:s0'));
    const file = server.classValue('file');
    const perms = ['read', 'write', 'open', 'getattr', 'execute'].map((p) => server.permMask(file, [p]));
    const n = 300_000;
    const q = { ssid: new Uint32Array(n), tsid: new Uint32Array(n), tclass: new Uint32Array(n).fill(file), requested: new Uint32Array(n) };
    const rng = new Sfc32(3);
    for (let i = 0; i < n; i++) {
      q.ssid[i] = sids[2 * rng.below(20)]!;
      q.tsid[i] = sids[rng.below(sids.length)]!;
      q.requested[i] = perms[rng.below(perms.length)]!;
    }
    const pool = new CheckPool(server, { workers: 2, sliceSize: 7_001 });
    try {
      const out = await pool.checkMany(q);
      const expected = new Uint8Array(n);
      server.checkBatch(q.ssid, q.tsid, q.tclass, q.requested, expected, n);
      expect(out).toEqual(expected);
      expect(out.some((v) => v === 1)).toBe(true);
      expect(out.some((v) => v === 0)).toBe(true);
      // contexts interned after the pool started are unknown to workers until refresh()
      const late = server.contextToSid('system_u:object_r:svirt_image_t:s0:c1,c101');
      const one = { ssid: Uint32Array.of(sids[2]!), tsid: Uint32Array.of(late), tclass: Uint32Array.of(file), requested: Uint32Array.of(perms[0]!) };
      pool.refresh();
      expect(Array.from(await pool.checkMany(one))).toEqual([1]);
    } finally {
      await pool.close();
    }
  });
});
