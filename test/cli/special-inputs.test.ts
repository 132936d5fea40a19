/**
 * Bounded time and memory through the built CLI: a device, a FIFO with no writer and a directory
 * given where a file is expected (--policy, compute-av input, --setrans) end at once with one clear
 * line and exit 2; endless standard input stops at its limit; an over-long query line is refused.
 * Each run is a child process with a timeout, so a hang fails the test instead of stalling it.
 * Needs `dist/` (`npx tsc -p tsconfig.json`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINE_LIMITS } from '../../src/io/input.js';
import { svirtWithStdin } from '../support/cli.js';

const MAIN = resolve('dist/src/cli/main.js');
const GUEST = 'system_u:system_r:svirt_t:s0:c1,c2';
const OWN = 'system_u:object_r:svirt_image_t:s0:c1,c2';
const dir = mkdtempSync(join(tmpdir(), 'svirt-special-'));
const fifo = join(dir, 'fifo');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  expect(existsSync(MAIN), 'build dist/ first: npx tsc -p tsconfig.json').toBe(true);
  execFileSync('mkfifo', [fifo]);
  writeFileSync(join(dir, 'q.txt'), `${GUEST} ${OWN} file read\n`);
});

function cli(args: string[], stdin: 'ignore' | number = 'ignore'): { status: number | null; signal: string | null; err: string } {
  const r = spawnSync('node', [MAIN, ...args], { encoding: 'utf8', timeout: 30_000, stdio: [stdin, 'pipe', 'pipe'] });
  return { status: r.status, signal: r.signal, err: r.stderr };
}

const SPECIAL: ReadonlyArray<readonly [string, RegExp]> = [
  ['/dev/zero', /this is a character device$/],
  [fifo, /this is a FIFO$/],
  [dir, /this is a directory$/],
];

describe('a special file where a file is expected', () => {
  it('/dev/urandom as a policy is refused like /dev/zero', () => {
    const r = cli(['context', '--policy', '/dev/urandom', GUEST]);
    expect(r).toEqual({ status: 2, signal: null, err: 'svirt: "/dev/urandom": policy must be a regular file, this is a character device\n' });
  });

  const uses = (p: string): string[][] => [
    ['context', '--policy', p, GUEST],
    ['compute-av', p],
    ['trans', '--setrans', p, 's0'],
    ['chcat', '-L', '--setrans', p],
    ['host', 'define', p, '--state', join(dir, 'host.db')],
  ];
  // every --policy goes through loadPolicyOption (policy-option.ts), so `context` stands for all of them
  it('is refused in one line, exit 2, without blocking or reading it', () => {
    for (const [path, kind] of SPECIAL) {
      for (const args of uses(path)) {
        const r = cli(args);
        const what = `${args.join(' ')}`;
        expect(r.signal, what).toBeNull();
        expect(r.status, what).toBe(2);
        expect(r.err.split('\n'), what).toHaveLength(2);
        expect(r.err.trimEnd(), what).toMatch(kind);
        expect(r.err, what).toContain(JSON.stringify(path));
      }
    }
  });
});

describe('endless or over-long query input', () => {
  it('compute-av < /dev/zero stops at the 256 MiB input limit, exit 2', () => {
    const r = cli(['compute-av'], openSync('/dev/zero', 'r'));
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    expect(r.err).toBe('svirt: standard input: standard input is larger than the limit (limit 256 MiB)\n');
  });

  it('a 600 MB query file is refused by its size before a byte is read', async () => {
    const big = join(dir, 'big.txt');
    writeFileSync(big, '');
    truncateSync(big, 600 * 1024 * 1024); // sparse: no disk, no memory
    const r = await svirtWithStdin('', 'compute-av', big);
    expect(r).toEqual({ code: 2, out: '', err: `svirt: ${JSON.stringify(big)}: query input is 629145600 bytes (limit 256 MiB)\n` });
  });

  it('a query line over LINE_LIMITS.queries refuses the input, naming the line', async () => {
    const long = `${GUEST} ${OWN} file ${'read,'.repeat(LINE_LIMITS.queries / 5)}`;
    const r = await svirtWithStdin(`${GUEST} ${OWN} file read\n${long}\n`, 'compute-av');
    expect(r).toEqual({ code: 2, out: '', err: `svirt: standard input: line 2 is ${long.length} characters long (limit 64 KiB a line)\n` });
    // at the limit exactly, the line is answered
    const atLimit = `${GUEST} ${OWN} file read`.padEnd(LINE_LIMITS.queries, ' ');
    expect((await svirtWithStdin(`${atLimit}\n`, 'compute-av')).code).toBe(0);
  });
});
