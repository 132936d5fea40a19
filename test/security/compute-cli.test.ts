/**
 * `svirt compute-create|compute-member|compute-relabel` and `svirt validatetrans`: the one-answer
 * form (as libselinux-utils prints it), `--batch` with every ERR code, `--bool`, and bad input
 * (one line, exit 2).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { svirt, svirtWithStdin } from '../support/cli.js';
import { LABEL_POLICY } from './compute-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'svirt-compute-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const policy = join(dir, 'labels.conf');
writeFileSync(policy, LABEL_POLICY);

const PROC = 'system_u:system_r:proc_t:s0-s1:c0.c3';
const TMP = 'system_u:object_r:tmp_t:s0';

describe('one query', () => {
  it('compute-create prints the new context and exits 0', async () => {
    const r = await svirt('compute-create', '--policy', policy, PROC, TMP, 'file');
    expect(r).toEqual({ code: 0, out: 'system_u:object_r:tmp_child_t:s0\n', err: '' });
  });

  it('compute-create takes an object name', async () => {
    const r = await svirt('compute-create', '--policy', policy, PROC, 'system_u:object_r:etc_t:s0', 'file', 'resolv.conf');
    expect(r.out).toBe('system_u:object_r:named_t:s0\n');
  });

  it('compute-member and compute-relabel', async () => {
    expect((await svirt('compute-member', '--policy', policy, PROC, TMP, 'dir')).out).toBe('system_u:object_r:dir_member_t:s0\n');
    expect((await svirt('compute-relabel', '--policy', policy, PROC, 'system_u:object_r:tty_t:s0', 'chr_file')).out).toBe('system_u:object_r:user_tty_t:s0\n');
  });

  it('--bool changes conditional rules', async () => {
    const off = await svirt('compute-create', '--policy', policy, PROC, 'system_u:object_r:etc_t:s0', 'dir');
    const on = await svirt('compute-create', '--policy', policy, '--bool', 'flag=1', PROC, 'system_u:object_r:etc_t:s0', 'dir');
    expect([off.out, on.out]).toEqual(['system_u:object_r:etc_t:s0\n', 'system_u:object_r:cond_t:s0\n']);
  });

  it('an invalid computed context is refused: exit 1, one line', async () => {
    const r = await svirt('compute-create', '--policy', policy, 'user_u:user_r:proc_t:s0', 'system_u:object_r:exec_t:s0', 'process');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe('svirt: compute-create: refused: the computed context user_u:system_r:child_t:s1 is not valid in the policy\n');
  });

  it('unknown type, class or missing argument: one line naming it, exit 2', async () => {
    const badType = await svirt('compute-create', '--policy', policy, PROC, 'system_u:object_r:nosuch_t:s0', 'file');
    expect(badType.code).toBe(2);
    expect(badType.err).toMatch(/^svirt: target context: invalid context "system_u:object_r:nosuch_t:s0" at offset 18 \(type\): unknown type/);
    expect(badType.err.trimEnd().split('\n')).toHaveLength(1);
    const badClass = await svirt('compute-member', '--policy', policy, PROC, TMP, 'nosuchclass');
    expect(badClass.code).toBe(2);
    expect(badClass.err).toMatch(/^svirt: class: unknown security class "nosuchclass"\n$/);
    const missing = await svirt('compute-relabel', '--policy', policy, PROC);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/missing TCONTEXT/);
    const extra = await svirt('compute-member', '--policy', policy, PROC, TMP, 'dir', 'name');
    expect(extra.code).toBe(2);
  });

  it('validatetrans: allow exit 0, deny exit 1', async () => {
    const allow = await svirt('validatetrans', '--policy', policy, TMP, 'system_u:object_r:tmp_t:s0:c1', 'system_u:system_r:admin_t:s0', 'file');
    const deny = await svirt('validatetrans', '--policy', policy, TMP, 'system_u:object_r:tmp_t:s0:c1', PROC, 'file');
    expect(allow).toEqual({ code: 0, out: 'allow\n', err: '' });
    expect(deny).toEqual({ code: 1, out: 'deny\n', err: '' });
    const bad = await svirt('validatetrans', '--policy', policy, TMP, 'bogus', PROC, 'file');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^svirt: new context: /);
  });
});

describe('--batch', () => {
  it('compute-create: one tab-separated answer a line, the result last, every ERR code', async () => {
    const input = [
      '# comment',
      '',
      `${PROC} ${TMP} file`,
      `${PROC} system_u:object_r:etc_t:s0 file resolv.conf`,
      `bogus ${TMP} file`,
      `${PROC} bogus file`,
      `${PROC} ${TMP} nosuchclass`,
      `user_u:user_r:proc_t:s0 system_u:object_r:exec_t:s0 process`,
      `${PROC} ${TMP}`,
      `${PROC} ${TMP} file a b`,
    ].join('\n');
    const r = await svirtWithStdin(input, 'compute-create', '--policy', policy, '--batch');
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split('\n')).toEqual([
      `${PROC}\t${TMP}\tfile\tsystem_u:object_r:tmp_child_t:s0`,
      `${PROC}\tsystem_u:object_r:etc_t:s0\tfile\tresolv.conf\tsystem_u:object_r:named_t:s0`,
      `bogus\t${TMP}\tfile\tERR:BADSCON`,
      `${PROC}\tbogus\tfile\tERR:BADTCON`,
      `${PROC}\t${TMP}\tnosuchclass\tERR:BADCLASS`,
      `user_u:user_r:proc_t:s0\tsystem_u:object_r:exec_t:s0\tprocess\tERR:INVALID`,
      `${PROC}\t${TMP}\tERR:MALFORMED`,
      `${PROC}\t${TMP}\tfile\ta\tb\tERR:MALFORMED`,
    ]);
  });

  it('compute-member refuses a name; reads a file', async () => {
    const file = join(dir, 'member.txt');
    writeFileSync(file, `${PROC} ${TMP} dir\n${PROC} ${TMP} dir x\n`);
    const r = await svirt('compute-member', '--policy', policy, '--batch', file);
    expect(r.out.trimEnd().split('\n').map((l) => l.split('\t').at(-1))).toEqual(['system_u:object_r:dir_member_t:s0', 'ERR:MALFORMED']);
  });

  it('validatetrans: allow / deny / every ERR code', async () => {
    const input = [
      `${TMP} system_u:object_r:tmp_t:s0:c1 ${PROC} file`,
      `${TMP} system_u:object_r:tmp_t:s0:c1 system_u:system_r:admin_t:s0 file`,
      `bogus ${TMP} ${PROC} file`,
      `${TMP} bogus ${PROC} file`,
      `${TMP} ${TMP} bogus file`,
      `${TMP} ${TMP} ${PROC} nosuchclass`,
      `${TMP} ${TMP} ${PROC}`,
    ].join('\n');
    const r = await svirtWithStdin(input, 'validatetrans', '--policy', policy, '--batch', '-');
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split('\n').map((l) => l.split('\t').at(-1))).toEqual([
      'deny',
      'allow',
      'ERR:BADOLDCON',
      'ERR:BADNEWCON',
      'ERR:BADTASKCON',
      'ERR:BADCLASS',
      'ERR:MALFORMED',
    ]);
  });

  it('--batch with positional queries is bad usage', async () => {
    const r = await svirt('compute-create', '--policy', policy, '--batch', '-', PROC);
    expect(r.code).toBe(2);
  });
});
