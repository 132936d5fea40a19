/**
 * Errors are errors, and say one thing:
 * - `svirt check SCON TCON file ''` (an empty permission) and an unknown permission are usage
 *   errors (exit 2), never "allowed";
 * - `--bool __proto__=1` (and other Object.prototype names) is refused by check, compute-av and stress;
 * - `svirt stress` with a configuration too large for memory is refused before allocating (run in
 *   a child with a small heap and a timeout);
 * - every error the CLI prints for a hostile input is one line of bounded length, quoting at most
 *   ~80 characters of the input with control characters escaped, and exit 2 (seeded fuzz of
 *   hostile strings in every argument position).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HAVE_DIST, expectRefused, spawnCli, svirt } from './cli-run.js';
import { looksLikeStackTrace, record } from './tally.js';

const SUITE = 'cli-errors';
const S = 'system_u:system_r:svirt_t:s0:c1,c2';
const T_OWN = 'system_u:object_r:svirt_image_t:s0:c1,c2';

describe('an empty or unknown permission is a usage error', () => {
  for (const perms of [[''], ['', ''], [','], ['read', ''], ['no_such_perm'], [' '], ['read,,write', '']]) {
    it(`check … file ${JSON.stringify(perms)}`, async () => {
      const r = await svirt('check', S, T_OWN, 'file', ...perms);
      if (r.code === 0) record(SUITE, 'wrong-allow', `check file ${JSON.stringify(perms)} answered allowed`);
      expectRefused(SUITE, `check file ${JSON.stringify(perms)}`, r);
    });
  }
  it('a known permission is still answered (the control)', async () => {
    const r = await svirt('check', S, T_OWN, 'file', 'read');
    expect(r.code).toBe(0);
    record(SUITE, 'ok', 'check file read (control)');
  });
});

describe('--bool with a prototype name or an unknown boolean is refused', () => {
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'no_such_boolean']) {
    it(`check --bool ${name}=1`, async () => {
      const r = await svirt('check', '--bool', `${name}=1`, S, T_OWN, 'file', 'read');
      expectRefused(SUITE, `check --bool ${name}=1`, r);
    });
    it(`compute-av --bool ${name}=1`, async () => {
      const r = await svirt('compute-av', '--bool', `${name}=1`, '/dev/null');
      expectRefused(SUITE, `compute-av --bool ${name}=1`, r);
    });
  }
  it.skipIf(!HAVE_DIST)('stress --bool __proto__=1', async () => {
    const r = await spawnCli(['stress', '--bool', '__proto__=1', '--guests', '2', '--ops', '1000', '--workers', '1', '--quiet'], { timeoutMs: 20_000 });
    expectRefused(SUITE, 'stress --bool __proto__=1', r);
  });
  it('a real boolean is accepted (the control)', async () => {
    const r = await svirt('check', '--bool', 'virt_use_execmem=1', S, T_OWN, 'file', 'read');
    expect(r.code).toBe(0);
    record(SUITE, 'ok', 'check --bool virt_use_execmem=1 (control)');
  });
});

describe.skipIf(!HAVE_DIST)('stress configurations too large for memory are refused before allocating', () => {
  for (const argv of [
    ['--guests', '523776', '--images-per-guest', '64'],
  ]) {
    it(`stress ${argv.join(' ')} (heap capped at 256 MiB)`, async () => {
      const r = await spawnCli(['stress', ...argv, '--ops', '1000', '--workers', '1', '--quiet', '--seed', '1'], { timeoutMs: 10_000, heapMiB: 256 });
      expectRefused(SUITE, `stress ${argv.join(' ')}`, r);
      expect(r.err).toMatch(/memory|MiB|GiB|bytes/i);
    });
  }
});

/** Hostile strings: long, control characters, newlines, quotes, NUL, lone surrogates, bidi overrides. */
const hostile = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc.constantFrom('\n', '\r\n', '\x1b[31mred\x1b[0m', '\u202e', '\ud800', '\0', '"\'\\', 'a\nb\nc'),
  fc.tuple(fc.constantFrom('x', 'system_u:', '\n', 'é'), fc.integer({ min: 200, max: 5000 })).map(([s, n]) => s.repeat(n)),
);

describe('every CLI error for a hostile argument is one bounded line, exit 2', () => {
  const positions: Array<[string, (h: string) => string[]]> = [
    ['check scontext', (h) => ['check', h, T_OWN, 'file', 'read']],
    ['check tcontext', (h) => ['check', S, `${T_OWN}${h}`, 'file', 'read']],
    ['check class', (h) => ['check', S, T_OWN, `file${h}`, 'read']],
    ['check perm', (h) => ['check', S, T_OWN, 'file', `read${h}`]],
    ['context', (h) => ['context', `system_u:object_r:${h}:s0`]],
    ['--bool', (h) => ['check', '--bool', `${h}=1`, S, T_OWN, 'file', 'read']],
    ['trans --to-raw', (h) => ['trans', '--to-raw', `${h}\u0000`]],
  ];
  for (const [where, argv] of positions) {
    it(`hostile ${where} (seeded)`, async () => {
      await fc.assert(
        fc.asyncProperty(hostile, async (h) => {
          const r = await svirt(...argv(h));
          if (r.code === 0) {
            // some hostile strings are valid (e.g. a translation that passes through); never with a stack
            record(SUITE, 'ok', `${where}: accepted`);
            return;
          }
          expectRefused(SUITE, `${where}: ${JSON.stringify(h.slice(0, 40))}`, r, h);
        }),
        { seed: 0x15adc, numRuns: 25 },
      );
    });
  }
});

describe('compute-av: a hostile query line gets a one-line ERR answer, never a crash', () => {
  it('seeded', async () => {
    const { svirtWithStdin } = await import('./cli-run.js');
    await fc.assert(
      fc.asyncProperty(fc.array(hostile, { minLength: 1, maxLength: 5 }), async (hs) => {
        const input = hs.map((h) => `${S} ${h} file read`).join('\n');
        const r = await svirtWithStdin(input, 'compute-av', '-');
        const crashed = ![0, 2].includes(r.code) || looksLikeStackTrace(r.err) || looksLikeStackTrace(r.out);
        record(SUITE, crashed ? 'crash' : 'ok-refused', 'compute-av hostile lines');
        expect(crashed, `compute-av: exit ${r.code} ${r.err.slice(0, 300)}`).toBe(false);
      }),
      { seed: 0x15add, numRuns: 20 },
    );
  });
});
