/**
 * The library API never allows on malformed input: checkMany and checkBatch with SIDs, classes and
 * masks that are not u32 integers (2^32 + g, g + 0.5, NaN, negative, tclass 2^32 + file),
 * mismatched array lengths, null, short arrays, and a reused output buffer full of old grants.
 * Each call either throws a typed SvirtError or answers exactly what hasPerm answers for the same
 * values; never an allow hasPerm would not give; every output slot is written.
 */
import { describe, expect, it } from 'vitest';
import { SvirtError } from '../../src/errors.js';
import { loadEmbeddedPolicy } from '../../src/policy/load.js';
import { createSecurityServer } from '../../src/security/server.js';
import { checkMany } from '../../src/sim/check-many.js';
import { classifyThrown, record } from './tally.js';

const SUITE = 'library-api';
const server = createSecurityServer(loadEmbeddedPolicy());
const g = server.contextToSid('system_u:system_r:svirt_t:s0:c1,c2');
const img = server.contextToSid('system_u:object_r:svirt_image_t:s0:c1,c2');
const file = server.classValue('file');
const read = server.permMask(file, ['read']);

/** hasPerm for raw (possibly malformed) numbers: a throw counts as a denial */
function reference(ssid: number, tsid: number, tclass: number, requested: number): boolean {
  try {
    return server.hasPermNoAudit(ssid, tsid, tclass, requested);
  } catch {
    return false;
  }
}

const MALFORMED: Array<[string, number, number, number, number]> = [
  ['ssid 2^32 + g', 2 ** 32 + g, img, file, read],
  ['tsid 2^32 + img', g, 2 ** 32 + img, file, read],
  ['ssid g + 0.5', g + 0.5, img, file, read],
  ['ssid NaN', Number.NaN, img, file, read],
  ['ssid -1', -1, img, file, read],
  ['ssid -(2^32) + g', g - 2 ** 32, img, file, read],
  ['tclass 2^32 + file', g, img, 2 ** 32 + file, read],
  ['tclass file + 0.5', g, img, file + 0.5, read],
  ['requested 2^32 + read', g, img, file, 2 ** 32 + read],
  ['requested -1', g, img, file, -1],
  ['ssid Infinity', Number.POSITIVE_INFINITY, img, file, read],
];

it('the well-formed query is allowed (the control: a wrong allow below would be observable)', () => {
  expect(server.hasPermNoAudit(g, img, file, read)).toBe(true);
});

describe('checkMany with malformed numbers (plain arrays, as a JavaScript caller passes them)', () => {
  for (const [name, s, t, c, r] of MALFORMED) {
    it(name, async () => {
      const want = reference(s, t, c, r);
      let got: Uint8Array | undefined;
      try {
        got = await checkMany(server, { ssid: [s, g], tsid: [t, img], tclass: [c, file], requested: [r, read] } as never, { workers: 1 });
      } catch (err) {
        record(SUITE, classifyThrown(err), `checkMany ${name}`);
        expect(err).toBeInstanceOf(SvirtError);
        return;
      }
      const wrong = got[0] === 1 && !want;
      record(SUITE, wrong ? 'wrong-allow' : 'ok', `checkMany ${name}`);
      expect(got[0], `checkMany(${name}) answered ${got[0]}, hasPerm ${want}`).toBe(want ? 1 : 0);
      expect(got[1]).toBe(1);
    });
  }
});

describe('checkMany with malformed shapes', () => {
  const ok = (): Uint32Array => Uint32Array.of(g);
  const cases: Array<[string, unknown]> = [
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['missing tsid', { ssid: ok(), tclass: ok(), requested: ok() }],
    ['lengths differ', { ssid: Uint32Array.of(g, g), tsid: ok(), tclass: Uint32Array.of(file), requested: Uint32Array.of(read) }],
    ['ssid a string', { ssid: 'abc', tsid: Uint32Array.of(img), tclass: Uint32Array.of(file), requested: Uint32Array.of(read) }],
    ['Float64Array 2^32 + g', { ssid: Float64Array.of(2 ** 32 + g), tsid: Uint32Array.of(img), tclass: Uint32Array.of(file), requested: Uint32Array.of(read) }],
  ];
  for (const [name, q] of cases) {
    it(name, async () => {
      let got: Uint8Array | undefined;
      try {
        got = await checkMany(server, q as never, { workers: 1 });
      } catch (err) {
        record(SUITE, classifyThrown(err), `checkMany ${name}`);
        expect(err, `checkMany(${name}) threw ${String(err)}`).toBeInstanceOf(SvirtError);
        return;
      }
      const wrong = Array.from(got).some((v) => v !== 0);
      record(SUITE, wrong ? 'wrong-allow' : 'ok', `checkMany ${name}`);
      expect(wrong, `checkMany(${name}) allowed something`).toBe(false);
    });
  }
});

describe('checkBatch: typed error or the hasPerm answer, every output slot written', () => {
  /** an output buffer full of stale grants from an earlier call */
  const stale = (n: number): Uint8Array => new Uint8Array(n).fill(1);

  it('ssid array shorter than the others', () => {
    const out = stale(4);
    let thrown: unknown;
    try {
      server.checkBatch(Uint32Array.of(g, g), Uint32Array.of(img, img, img, img), Uint32Array.of(file, file, file, file), Uint32Array.of(0, 0, 0, 0), out);
    } catch (err) {
      thrown = err;
    }
    // requests of 0 are never granted: any 1 left in `out` is a stale grant the caller would read
    const left = Array.from(out).filter((v) => v !== 0).length;
    record(SUITE, left > 0 ? 'wrong-allow' : thrown === undefined ? 'ok' : classifyThrown(thrown), 'checkBatch short ssid');
    expect(left, 'stale grants left in out').toBe(0);
    if (thrown !== undefined) expect(thrown).toBeInstanceOf(SvirtError);
  });

  for (const [which, make] of [
    ['tsid', (a: Uint32Array): Uint32Array[] => [a, a.subarray(0, 1), a, a]],
    ['tclass', (a: Uint32Array): Uint32Array[] => [a, a, a.subarray(0, 1), a]],
    ['requested', (a: Uint32Array): Uint32Array[] => [a, a, a, a.subarray(0, 1)]],
  ] as const) {
    it(`${which} array shorter than out, reused out with old grants`, () => {
      const out = stale(3);
      const [s, t, c, r] = make(Uint32Array.of(0, 0, 0)); // all-zero queries: never granted
      let thrown: unknown;
      try {
        server.checkBatch(s!, t!, c!, r!, out);
      } catch (err) {
        thrown = err;
      }
      const left = Array.from(out).filter((v) => v !== 0).length;
      record(SUITE, left > 0 ? 'wrong-allow' : thrown === undefined ? 'ok' : classifyThrown(thrown), `checkBatch short ${which}`);
      expect(left, 'stale grants left in out').toBe(0);
      if (thrown !== undefined) expect(thrown).toBeInstanceOf(SvirtError);
    });
  }

  it('n larger than the arrays: typed error and every slot of out denied', () => {
    const out = stale(2);
    let thrown: unknown;
    try {
      server.checkBatch(Uint32Array.of(g, g), Uint32Array.of(img, img), Uint32Array.of(file, file), Uint32Array.of(0, 0), out, 5);
    } catch (err) {
      thrown = err;
    }
    const left = Array.from(out).filter((v) => v !== 0).length;
    record(SUITE, left > 0 ? 'wrong-allow' : classifyThrown(thrown), 'checkBatch n too large');
    expect(thrown).toBeInstanceOf(SvirtError);
    expect(left, 'stale grants left in out').toBe(0);
  });

  it('null arrays: typed error', () => {
    let thrown: unknown;
    try {
      server.checkBatch(null as never, null as never, null as never, null as never, new Uint8Array(1));
    } catch (err) {
      thrown = err;
    }
    record(SUITE, classifyThrown(thrown), 'checkBatch null');
    expect(thrown).toBeInstanceOf(SvirtError);
  });

  it('a well-formed batch over a reused buffer: every slot rewritten (the control)', () => {
    const out = stale(3);
    server.checkBatch(Uint32Array.of(g, g, 0), Uint32Array.of(img, img, img), Uint32Array.of(file, file, file), Uint32Array.of(read, 0, read), out);
    expect(Array.from(out)).toEqual([1, 0, 0]);
    record(SUITE, 'ok', 'checkBatch control');
  });
});
