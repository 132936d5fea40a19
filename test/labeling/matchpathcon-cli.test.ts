/**
 * `svirt matchpathcon`: output as libselinux's matchpathcon prints it (PATH<TAB>CONTEXT, <<none>>
 * for both ENOENT cases, one trailing / removed), the batch format, and bad input (exit 2, one
 * line, nothing on stdout).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { svirt, svirtWithStdin } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'svirt-matchpathcon-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const IMG = 'system_u:object_r:virt_image_t:s0';

describe('svirt matchpathcon PATH...', () => {
  it('prints PATH<TAB>CONTEXT like matchpathcon, <<none>> for <<none>> specs and for no match', async () => {
    const r = await svirt('matchpathcon', '-m', 'file', '/var/lib/libvirt/images/g.qcow2', '/var/lib/libvirt/images/', '/tmp/x', '/nowhere/x');
    expect(r).toEqual({ code: 0, err: '', out: `/var/lib/libvirt/images/g.qcow2\t${IMG}\n/var/lib/libvirt/images\t${IMG}\n/tmp/x\t<<none>>\n/nowhere/x\t<<none>>\n` });
  });

  it('-m selects the file type; matchpathcon letters are accepted', async () => {
    expect((await svirt('matchpathcon', '-m', 'chr', '/dev/null')).out).toBe('/dev/null\tsystem_u:object_r:null_device_t:s0\n');
    expect((await svirt('matchpathcon', '-m', 'c', '/dev/null')).out).toBe('/dev/null\tsystem_u:object_r:null_device_t:s0\n');
    expect((await svirt('matchpathcon', '-m', 'file', '/dev/null')).out).toBe('/dev/null\t<<none>>\n');
  });

  it('bad usage and bad input exit 2 with one line and no output', async () => {
    for (const argv of [
      ['matchpathcon', '-m', 'fifoo', '/x'],
      ['matchpathcon'],
      ['matchpathcon', ''],
      ['matchpathcon', '--file-contexts', join(dir, 'missing'), '/x'],
    ]) {
      const r = await svirt(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('validates contexts against the policy (default: embedded) unless --no-validate', async () => {
    writeFileSync(join(dir, 'file_contexts'), `/ok\t${IMG}\n/x(/.*)?\tsystem_u:object_r:default_t:s0\n`);
    const r = await svirt('matchpathcon', '--file-contexts', dir, '/x');
    expect(r.code).toBe(2);
    expect(r.err).toBe(`svirt: ${join(dir, 'file_contexts')}:2:28: error: invalid context "system_u:object_r:default_t:s0" at offset 18 (type): unknown type "default_t"\n`);
    expect((await svirt('matchpathcon', '--no-validate', '--file-contexts', dir, '/x/y')).out).toBe('/x/y\tsystem_u:object_r:default_t:s0\n');
  });
});

describe('svirt matchpathcon --batch', () => {
  it('answers PATH MODE lines with PATH, MODE and the result last: context, <<none>> or ERR:ENOENT', async () => {
    const input = ['# comment', '', '/var/lib/libvirt/images/a b.img file', '/dev/null   chr', '/tmp/x any', '/nowhere dir', 'relative\tfifo'].join('\n');
    const r = await svirtWithStdin(input, 'matchpathcon', '--batch', '-');
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [`/var/lib/libvirt/images/a b.img\tfile\t${IMG}`, '/dev/null\tchr\tsystem_u:object_r:null_device_t:s0', '/tmp/x\tany\t<<none>>', '/nowhere\tdir\tERR:ENOENT', 'relative\tfifo\tERR:ENOENT', ''].join('\n'),
    );
  });

  it('reads a file; an unknown mode or a missing path is file:line:col, exit 2, nothing answered', async () => {
    const file = join(dir, 'queries');
    writeFileSync(file, '/etc file\n/etc socket\n');
    const r = await svirt('matchpathcon', '--batch', file);
    expect(r).toEqual({ code: 2, out: '', err: `svirt: ${file}:2:6: error: unknown mode "socket" (expected file, dir, chr, blk, lnk, sock, fifo or any)\n` });
    const r2 = await svirtWithStdin('/etc dir\nfile\n', 'matchpathcon', '--batch');
    expect(r2).toEqual({ code: 2, out: '', err: 'svirt: <stdin>:2:1: error: expected PATH MODE\n' });
  });
});
