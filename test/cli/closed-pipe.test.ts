/**
 * Closed pipes through a real shell pipe: the built CLI (`node dist/src/cli/main.js`) piped into
 * `head -c 0` (reader gone before the first write) and `head -1` (reader gone after one line).
 * No stack trace ever reaches stderr, and the status is the documented one: 141 when output was
 * cut (src/cli/io.ts EXIT_OUTPUT_CLOSED), otherwise the command's own status — never 1 for an
 * allowed `check`. Needs `dist/` (`npx tsc -p tsconfig.json`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_OUTPUT_CLOSED } from '../../src/cli/io.js';
import { HOST_TEST_POLICY } from '../host/fixtures-policy.js';
import { simPolicyPath } from '../sim/helpers.js';

const MAIN = resolve('dist/src/cli/main.js');
const GUEST = 'system_u:system_r:svirt_t:s0:c1,c2';
const OWN = 'system_u:object_r:svirt_image_t:s0:c1,c2';
const OTHER = 'system_u:object_r:svirt_image_t:s0:c3,c4';
const dir = mkdtempSync(join(tmpdir(), 'svirt-pipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** `node main.js ARGS | READER`: the CLI's exit status (PIPESTATUS[0]) and its stderr */
function piped(args: string[], reader: string): { status: number; err: string } {
  const errFile = join(dir, 'stderr');
  const script = `node ${shq(MAIN)} ${args.map(shq).join(' ')} 2>${shq(errFile)} | ${reader} >/dev/null; echo "\${PIPESTATUS[0]}"`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(0);
  return { status: Number(r.stdout.trim()), err: readFileSync(errFile, 'utf8') };
}

function noCrash(err: string): void {
  expect(err).not.toMatch(/EPIPE|Unhandled|node:events|^\s+at /m);
  expect(err).toBe('');
}

let state: string[];
beforeAll(() => {
  expect(existsSync(MAIN), 'build dist/ first: npx tsc -p tsconfig.json').toBe(true);
  const queries = Array.from({ length: 4000 }, (_, i) => `${GUEST} ${i % 2 ? OWN : OTHER} file read write`).join('\n');
  writeFileSync(join(dir, 'q.txt'), `${queries}\n`);
  writeFileSync(join(dir, 'policy.conf'), HOST_TEST_POLICY);
  state = ['--state', join(dir, 'host.db'), '--policy', join(dir, 'policy.conf')];
  for (const args of [
    ['host', 'define', '--name', 'vm1', '--disk', '/var/lib/libvirt/images/vm1.qcow2', ...state],
    ['host', 'start', 'vm1', ...state],
  ]) {
    expect(spawnSync('node', [MAIN, ...args]).status).toBe(0);
  }
});

describe('a closed standard output', () => {
  // [args, status when everything was written] — the long outputs overflow a pipe buffer
  const commands = (): Array<{ name: string; args: string[]; whole: number; long: boolean }> => [
    { name: 'compute-av, 4000 lines', args: ['compute-av', join(dir, 'q.txt')], whole: 0, long: true },
    { name: 'check, allowed', args: ['check', GUEST, OWN, 'file', 'read'], whole: 0, long: false },
    { name: 'check, denied', args: ['check', GUEST, OTHER, 'file', 'read'], whole: 1, long: false },
    { name: 'context', args: ['context', GUEST, OWN], whole: 0, long: false },
    { name: 'host ps', args: ['host', 'ps', ...state], whole: 0, long: false },
    { name: 'chcat -L', args: ['chcat', '-L'], whole: 0, long: false },
    { name: 'stress --ops small', args: ['stress', '--policy', simPolicyPath(), '--guests', '4', '--workers', '1', '--ops', '20000', '--seed', '3'], whole: 0, long: false },
  ];

  it('head -c 0: every command stops quietly with exit 141', () => {
    for (const c of commands()) {
      const r = piped(c.args, 'head -c 0');
      noCrash(r.err);
      expect(r.status, c.name).toBe(EXIT_OUTPUT_CLOSED);
    }
  });

  it('head -1: no stack trace; 141 when output was cut, else the command\'s own status', () => {
    for (const c of commands()) {
      const r = piped(c.args, 'head -1');
      noCrash(r.err);
      if (c.long) expect(r.status, c.name).toBe(EXIT_OUTPUT_CLOSED);
      else expect([c.whole, EXIT_OUTPUT_CLOSED], c.name).toContain(r.status);
    }
  });

  it('an allowed check whose output is cut never exits 1 (denied)', () => {
    const r = piped(['check', GUEST, OWN, 'file', 'read'], 'head -c 0');
    expect(r.status).not.toBe(1);
    expect(r.status).not.toBe(0);
  });

  it('a closed standard error is ignored: the status is still the command\'s own', () => {
    const closedStderr = (args: string[]): number => {
      const script = `node ${shq(MAIN)} ${args.map(shq).join(' ')} 2>&1 >/dev/null | head -c 0; echo "\${PIPESTATUS[0]}"`;
      return Number(spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 60_000 }).stdout.trim());
    };
    expect(closedStderr(['context', 'not-a-context'])).toBe(2);
    expect(closedStderr(['context', GUEST])).toBe(0);
  });

  it('a full pipe still delivers the whole answer with the normal status', () => {
    const r = piped(['compute-av', join(dir, 'q.txt')], 'cat');
    expect(r).toEqual({ status: 0, err: '' });
    expect(piped(['check', GUEST, OTHER, 'file', 'read'], 'cat').status).toBe(1);
  });
});
