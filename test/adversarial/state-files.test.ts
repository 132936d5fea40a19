/**
 * State files: a new state file is mode 0600 in a directory created 0700; a read-only state file
 * can still be listed (`host ps`, `host ls`) by a user who cannot write it (run as `nobody` via
 * setpriv when the suite runs as root, since root bypasses file modes).
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_MAIN, HAVE_DIST, ROOT, svirt } from './cli-run.js';
import { looksLikeStackTrace, record } from './tally.js';

const SUITE = 'state-files';
const tmp = mkdtempSync(join(tmpdir(), 'svirt-adv-state-'));
chmodSync(tmp, 0o755);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a new state file is private', () => {
  it('file 0600 in a new directory 0700', async () => {
    const dir = join(tmp, 'new-dir', 'svirt');
    const file = join(dir, 'host.db');
    const r = await svirt('host', 'define', '--name', 'g', '--disk', '/var/lib/libvirt/images/g.img', '--state', file);
    expect(r.code, r.err).toBe(0);
    const fileMode = statSync(file).mode & 0o777;
    const dirMode = statSync(dir).mode & 0o777;
    record(SUITE, fileMode === 0o600 && dirMode === 0o700 ? 'ok' : 'bad-error', `state modes file ${fileMode.toString(8)} dir ${dirMode.toString(8)}`);
    expect(fileMode.toString(8)).toBe('600');
    expect(dirMode.toString(8)).toBe('700');
  });
});

const CAN_DROP = process.getuid?.() === 0 && existsSync('/usr/bin/setpriv');
if (process.getuid?.() === 0 && !CAN_DROP) console.warn('\n*** SKIPPED: read-only state as another user needs setpriv — install with: apt-get install util-linux ***\n');

function runAsNobody(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const prefix = CAN_DROP ? ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : [process.execPath];
  return new Promise((resolve) => {
    const child = spawn(prefix[0]!, [...prefix.slice(1), CLI_MAIN, ...argv], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out, err });
    });
  });
}

describe.skipIf(!HAVE_DIST)('a read-only state file can be listed', () => {
  it('host ps and host ls on a 0444 file in a 0555 directory', async () => {
    const dir = join(tmp, 'ro');
    const file = join(dir, 'host.db');
    expect((await svirt('host', 'define', '--name', 'g', '--disk', '/var/lib/libvirt/images/g.img', '--state', file)).code).toBe(0);
    expect((await svirt('host', 'start', 'g', '--state', file)).code).toBe(0);
    chmodSync(file, 0o444);
    chmodSync(dir, 0o555);
    try {
      for (const argv of [
        ['host', 'ps', '--state', file],
        ['host', 'ls', '/var/lib/libvirt/images/g.img', '--state', file],
      ]) {
        const r = await runAsNobody(argv);
        const crashed = looksLikeStackTrace(r.err);
        record(SUITE, crashed ? 'crash' : r.code === 0 ? 'ok' : 'bad-error', `read-only ${argv.slice(0, 2).join(' ')}`);
        expect(r.code, `${argv.join(' ')}: ${r.err.slice(0, 300)}`).toBe(0);
        expect(r.out).toContain(argv[1] === 'ps' ? 'svirt_t' : 'svirt_image_t');
      }
    } finally {
      chmodSync(dir, 0o755);
    }
  });
});
