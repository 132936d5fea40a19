/**
 * Bounded time and memory for every input: special files (/dev/zero, /dev/urandom, a FIFO with no
 * writer, a directory) where a file is expected — as --policy, as compute-av input, as --setrans —
 * and setrans.conf `Include=/dev/zero`, Include cycles and Include fan-out (10 files × 10 levels).
 * Each run is a child process with a hard timeout and a capped heap: a hang is recorded as `hang`,
 * an out-of-memory death as `crash`, and the assertion is a one-line refusal with exit 2.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { HAVE_DIST, expectRefused, spawnCli } from './cli-run.js';

const SUITE = 'special-files';
const tmp = mkdtempSync(join(tmpdir(), 'svirt-adv-special-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
if (!HAVE_DIST) console.warn('\n*** SKIPPED: special-file runs need the built CLI — run: npx tsc -p tsconfig.json ***\n');

const fifo = join(tmp, 'fifo');
execFileSync('mkfifo', [fifo]);
const dir = join(tmp, 'a-directory');
mkdirSync(dir);
const SPECIAL: Record<string, string> = { '/dev/zero': '/dev/zero', '/dev/urandom': '/dev/urandom', 'a FIFO with no writer': fifo, 'a directory': dir };
const state = (tag: string): string => join(tmp, `state-${tag.replace(/\W/g, '_')}.db`);

/** each place a file is expected, as an argv with the special file in it */
const PLACES: Record<string, (f: string, tag: string) => string[]> = {
  'check --policy': (f) => ['check', '--policy', f, 'system_u:system_r:svirt_t:s0', 'system_u:system_r:svirt_t:s0', 'file', 'read'],
  'compute-av --policy': (f) => ['compute-av', '--policy', f, '/dev/null'],
  'compute-av input': (f) => ['compute-av', f],
  'host ps --setrans': (f, tag) => ['host', 'ps', '--setrans', f, '--state', state(tag)],
  'trans --setrans': (f) => ['trans', '--setrans', f, 's0:c1'],
  'host define (domain XML)': (f, tag) => ['host', 'define', f, '--state', state(tag)],
};

/** every place gets /dev/zero and a FIFO; /dev/urandom and a directory go to the policy and setrans places */
const KINDS_FOR = (place: string): string[] =>
  place === 'check --policy' || place === 'trans --setrans' ? Object.keys(SPECIAL) : ['/dev/zero', 'a FIFO with no writer'];

// the runs are child processes, mostly waiting: two at a time keeps both cores busy
describe.skipIf(!HAVE_DIST).concurrent('special files where a file is expected', () => {
  for (const [place, argv] of Object.entries(PLACES)) {
    for (const name of KINDS_FOR(place)) {
      const path = SPECIAL[name]!;
      it(`${place} ${name}`, async () => {
        const r = await spawnCli(argv(path, `${place}-${name}`), { timeoutMs: 10_000, heapMiB: 256 });
        expectRefused(SUITE, `${place} ${name}`, r);
      });
    }
  }
});

describe.skipIf(!HAVE_DIST).concurrent('setrans.conf Include', () => {
  it('Include=/dev/zero', async () => {
    const f = join(tmp, 'include-zero.conf');
    writeFileSync(f, 'Domain=Test\ns0=SystemLow\nInclude=/dev/zero\n');
    expectRefused(SUITE, 'Include=/dev/zero', await spawnCli(['trans', '--setrans', f, 's0'], { timeoutMs: 10_000, heapMiB: 256 }));
  });

  it('Include of a FIFO', async () => {
    const f = join(tmp, 'include-fifo.conf');
    writeFileSync(f, `Domain=Test\nInclude=${fifo}\n`);
    expectRefused(SUITE, 'Include=FIFO', await spawnCli(['trans', '--setrans', f, 's0'], { timeoutMs: 10_000, heapMiB: 256 }));
  });

  it('a file that includes itself', async () => {
    const f = join(tmp, 'self.conf');
    writeFileSync(f, 'Domain=Test\nInclude=self.conf\n');
    expectRefused(SUITE, 'Include cycle (self)', await spawnCli(['trans', '--setrans', f, 's0'], { timeoutMs: 10_000, heapMiB: 256 }));
  });

  it('a cycle of three files (spelled through ./ and //)', async () => {
    const d = join(tmp, 'cycle');
    mkdirSync(d);
    writeFileSync(join(d, 'a.conf'), 'Domain=Test\nInclude=./b.conf\n');
    writeFileSync(join(d, 'b.conf'), `Include=${d}//c.conf\n`);
    writeFileSync(join(d, 'c.conf'), 'Include=a.conf\n');
    expectRefused(SUITE, 'Include cycle (3 files)', await spawnCli(['trans', '--setrans', join(d, 'a.conf'), 's0'], { timeoutMs: 10_000, heapMiB: 256 }));
  });

  it('fan-out: 10 includes per file, 10 levels deep (10^9 reads unless bounded; 6 s bound)', async () => {
    const d = join(tmp, 'fanout');
    mkdirSync(d);
    for (let level = 0; level < 10; level++) {
      const body = level === 9 ? 's0:c1=Leaf\n' : Array.from({ length: 10 }, () => `Include=level${level + 1}.conf\n`).join('');
      writeFileSync(join(d, `level${level}.conf`), level === 0 ? `Domain=Test\n${body}` : body);
    }
    expectRefused(SUITE, 'Include fan-out 10x10', await spawnCli(['trans', '--setrans', join(d, 'level0.conf'), 's0:c1'], { timeoutMs: 6_000, heapMiB: 256 }));
  });
});
