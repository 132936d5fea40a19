/**
 * Fuzzed contexts (seeded): every hostile string → a typed ContextError with an offset inside the
 * string, or a valid SID; never a crash; and never two strings that are not the same canonical
 * context mapped to one SID (each SID's context is the canonical form of every string mapped to it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContextError, SvirtError } from '../../src/errors.js';
import { formatContext, parseContext } from '../../src/context/context.js';
import { buildSymbolIndex } from '../../src/policy/model.js';
import { loadEmbeddedPolicy } from '../../src/policy/load.js';
import { createSecurityServer } from '../../src/security/server.js';
import { mutatedText } from './mutate.js';
import { classifyThrown, record } from './tally.js';

const SUITE = 'fuzz-context';
const model = loadEmbeddedPolicy();
const index = buildSymbolIndex(model);
const server = createSecurityServer(model);

const VALID = [
  'system_u:system_r:svirt_t:s0:c1,c2',
  'system_u:object_r:svirt_image_t:s0:c0.c1023',
  'system_u:system_r:virtd_t:s0-s0:c0.c1023',
  'unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023',
];
const SNIPPETS = [':', '-', '.', ',', 'c', 's0', 's1', 'c1023', 'c1024', 'c0.c1023', ' ', '\n', '\0', '\u202e', '\ud800', 'é', '%', '::', ':s0', 'c99999999999', '-s0', '.c', ',c5'];

const hostile = fc.oneof(
  fc.constantFrom(...VALID).chain((v) => mutatedText(v, SNIPPETS)),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.array(fc.integer({ min: 0, max: 1100 }), { maxLength: 40 }).map((cs) => `system_u:object_r:svirt_image_t:s0:${cs.map((c) => `c${c}`).join(',')}`),
  fc.tuple(fc.integer({ min: 0, max: 1100 }), fc.integer({ min: 0, max: 1100 })).map(([a, b]) => `system_u:system_r:svirt_t:s0:c${a}.c${b}`),
);

describe('fuzzed contexts', () => {
  it('typed error with an offset, or a SID whose context is the canonical form (seeded)', () => {
    const sidOf = new Map<number, string>();
    fc.assert(
      fc.property(hostile, (text) => {
        let sid: number;
        try {
          sid = server.contextToSid(text);
        } catch (err) {
          const outcome = classifyThrown(err);
          record(SUITE, outcome, JSON.stringify(text.slice(0, 60)));
          expect(err, `context ${JSON.stringify(text)} threw ${String(err)}`).toBeInstanceOf(SvirtError);
          if (err instanceof ContextError) {
            expect(Number.isInteger(err.offset) && err.offset >= 0 && err.offset <= text.length, `offset ${err.offset} in ${JSON.stringify(text)}`).toBe(true);
            expect(err.message).not.toMatch(/[\n\r]/);
          } else {
            expect(err, `${JSON.stringify(text)}: ${(err as Error).message}`).toBeInstanceOf(ContextError);
          }
          return;
        }
        const canonical = formatContext(model, parseContext(model, index, text));
        const stored = server.sidToContext(sid);
        const earlier = sidOf.get(sid);
        const clash = stored !== canonical || (earlier !== undefined && earlier !== canonical);
        record(SUITE, clash ? 'wrong-allow' : 'ok', `${JSON.stringify(text.slice(0, 60))} → SID ${sid}`);
        expect(stored, `SID ${sid} for ${JSON.stringify(text)}`).toBe(canonical);
        if (earlier !== undefined) expect(earlier).toBe(canonical);
        sidOf.set(sid, canonical);
      }),
      { seed: 0x15c7, numRuns: 1500 },
    );
  });
});
