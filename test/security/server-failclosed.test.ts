/** Bad input is a denial, never an allow - even in permissive mode - and is never cached. */
import { expect, test } from 'vitest';
import { createSecurityServer } from '../../src/security/server.js';
import { svirtExampleBuilder } from '../support/model-builder.js';

for (const enforcing of [true, false]) {
  test(`bad SIDs, class 0, class > nclasses: denied; zero request, non-integers: E_BAD_ARGUMENT (enforcing=${enforcing})`, () => {
    const ss = createSecurityServer(svirtExampleBuilder().allow('unconfined_t', 'domain', 'file', ['read']).build(), { enforcing });
    const u = ss.contextToSid('system_u:unconfined_r:unconfined_t:s0-s0:c0.c1023');
    const file = ss.classValue('file');
    const read = ss.permMask(file, ['read']);
    expect(ss.hasPermNoAudit(u, u, file, read)).toBe(true);
    const n = ss.model.classes.length;
    const denied: Array<[number, number, number, number]> = [
      [0, u, file, read],
      [u, 0, file, read],
      [u + 1, u, file, read], // never issued
      [0xffffffff, u, file, read],
      [u, u, 0, read],
      [u, u, n + 1, read],
      [u, u, 0xffff, read],
    ];
    for (const [s, t, c, r] of denied) {
      expect(ss.hasPermNoAudit(s, t, c, r), `${s} ${t} ${c} ${r}`).toBe(false);
      expect(ss.hasPerm(s, t, c, r), `${s} ${t} ${c} ${r}`).toBe(false);
      expect(ss.computeAv(s, t, c).allowed).toBe(0);
    }
    const malformed: Array<[number, number, number, number]> = [
      [u, u, file, 0],
      [u + 0.5, u, file, read],
      [Number.NaN, u, file, read],
      [-1, u, file, read],
      [2 ** 32 + u, u, file, read],
      [u, u, 2 ** 32 + file, read],
    ];
    for (const [s, t, c, r] of malformed) {
      const e = expect.objectContaining({ code: 'E_BAD_ARGUMENT' });
      expect(() => ss.hasPermNoAudit(s, t, c, r), `${s} ${t} ${c} ${r}`).toThrow(e);
      expect(() => ss.hasPerm(s, t, c, r), `${s} ${t} ${c} ${r}`).toThrow(e);
    }
    const out = new Uint8Array(denied.length + 1).fill(7);
    const all = [...denied, [u, u, file, 0] as const];
    ss.checkBatch(
      Uint32Array.from(all.map((b) => b[0])),
      Uint32Array.from(all.map((b) => b[1])),
      Uint32Array.from(all.map((b) => b[2])),
      Uint32Array.from(all.map((b) => b[3])),
      out,
    );
    expect([...out]).toEqual(all.map(() => 0)); // a zero request is a denial in a batch
    expect(ss.avcStats().activeNodes).toBe(1); // only the valid decision is cached
    expect(() => ss.sidToContext(0)).toThrow(/unknown SID/);
    expect(() => ss.sidToContext(u + 1)).toThrow(/unknown SID/);
    expect(() => ss.classValue('nosuchclass')).toThrow(/unknown security class/);
    expect(() => ss.permMask(file, ['fly'])).toThrow(/unknown permission/);
    expect(() => ss.checkBatch(new Uint32Array(2), new Uint32Array(1), new Uint32Array(2), new Uint32Array(2), new Uint8Array(2))).toThrow();
  });
}

test('handle_unknown: undefined permission bits are granted only under allow', () => {
  for (const hu of ['deny', 'allow', 'reject'] as const) {
    const model = svirtExampleBuilder().allow('unconfined_t', 'domain', 'file', ['read']).build();
    const ss = createSecurityServer(model, { handleUnknown: hu });
    const u = ss.contextToSid('system_u:unconfined_r:unconfined_t:s0');
    const file = ss.classValue('file');
    const unknownBit = 1 << 30; // class file has 15 permissions
    expect(ss.hasPermNoAudit(u, u, file, unknownBit), hu).toBe(hu === 'allow');
    expect(ss.computeAv(u, u, file).auditdeny & unknownBit, hu).not.toBe(0);
  }
});
