/**
 * Closed pipes: `svirt <cmd> | head -c 0` — the reader is gone before svirt writes. Every command
 * stops quietly (no stack trace, no unhandled EPIPE), and `check` of an allowed access never exits
 * 1 (which would read as "denied"). Run through a shell with `set -o pipefail` so the exit status
 * is svirt's own; SIGPIPE death (141) is what coreutils do and is accepted.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_MAIN, HAVE_DIST, ROOT } from './cli-run.js';
import { looksLikeStackTrace, record } from './tally.js';

const SUITE = 'closed-pipes';
const tmp = mkdtempSync(join(tmpdir(), 'svirt-adv-pipe-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const state = join(tmp, 'host.db');
const queries = join(tmp, 'queries.txt');
writeFileSync(queries, 'system_u:system_r:svirt_t:s0:c1,c2 system_u:object_r:svirt_image_t:s0:c1,c2 file read\n'.repeat(2000));

const q = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

function piped(argv: readonly string[]): Promise<{ code: number; err: string }> {
  const cmd = `set -o pipefail; ${q(process.execPath)} ${q(CLI_MAIN)} ${argv.map(q).join(' ')} | head -c 0`;
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', cmd], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, err });
    });
  });
}

const ALLOWED = ['system_u:system_r:svirt_t:s0:c1,c2', 'system_u:object_r:svirt_image_t:s0:c1,c2', 'file', 'read'];

describe.skipIf(!HAVE_DIST).concurrent('svirt <cmd> | head -c 0', () => {
  const commands: Array<[string, string[], number[]]> = [
    ['check (allowed)', ['check', ...ALLOWED], [0, 141]],
    ['compute-av', ['compute-av', queries], [0, 141]],
    ['context', ['context', ALLOWED[0]!, ALLOWED[1]!], [0, 141]],
    ['trans', ['trans', 's0:c1', 's0-s0:c0.c1023'], [0, 141]],
    ['host ps', ['host', 'ps', '--state', state], [0, 141]],
    ['host ls', ['host', 'ls', '/', '--state', state], [0, 141]],
    ['--help', ['--help'], [0, 141]],
  ];
  for (const [name, argv, codes] of commands) {
    it(name, async () => {
      const r = await piped(argv);
      const crashed = looksLikeStackTrace(r.err) || /EPIPE/.test(r.err);
      record(SUITE, crashed ? 'crash' : codes.includes(r.code) ? 'ok' : name.startsWith('check') && r.code === 1 ? 'crash' : 'bad-error', `${name} | head -c 0`);
      expect(crashed, `${name}: ${r.err.slice(0, 400)}`).toBe(false);
      expect(codes, `${name}: exit ${r.code}`).toContain(r.code);
    });
  }
});
