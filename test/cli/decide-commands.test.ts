/**
 * `svirt compute-av`, `svirt check`, `svirt context` on the embedded policy: output formats and exit
 * codes exactly as the README documents them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { svirt, svirtWithStdin } from '../support/cli.js';

const GUEST = 'system_u:system_r:svirt_t:s0:c1,c2';
const OWN = 'system_u:object_r:svirt_image_t:s0:c1,c2';
const OTHER = 'system_u:object_r:svirt_image_t:s0:c3,c4';
const dir = mkdtempSync(join(tmpdir(), 'svirt-decide-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('svirt compute-av', () => {
  it('answers one tab-separated line per query, ERR lines included, exit 0', async () => {
    const input = [
      '# comment and blank lines are skipped',
      '',
      `${GUEST} ${OWN} file {read,write open}`,
      `${GUEST} ${OTHER} file { read }`,
      `${GUEST} ${OTHER} file`,
      `bogus ${OWN} file read`,
      `${GUEST} ${OWN} nosuchclass read`,
      `${GUEST} ${OWN} file frobnicate`,
      `${GUEST} ${OWN}`,
    ].join('\n');
    const r = await svirtWithStdin(input, 'compute-av');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(lines).toHaveLength(7);
    expect(lines[0]!.slice(3, 5)).toEqual(['open read write', 'allow']);
    expect(lines[1]!.slice(3, 6)).toEqual(['read', 'deny:CONS', 'getattr']);
    expect(lines[2]!.slice(3, 5)).toEqual(['*', '-']);
    expect(lines.slice(3).map((l) => l[4])).toEqual(['ERR:BADSCON', 'ERR:BADCLASS', 'ERR:BADPERM', 'ERR:MALFORMED']);
    for (const l of lines) expect(l).toHaveLength(6);
  });

  it('reads a file argument and applies --bool before the first query', async () => {
    const f = join(dir, 'q.txt');
    writeFileSync(f, `${GUEST} ${GUEST} process execmem\n`);
    expect((await svirt('compute-av', f)).out.split('\t')[4]).toBe('deny:TE,BOOL');
    const r = await svirt('compute-av', '--bool', 'virt_use_execmem=on', f);
    expect(r.code).toBe(0);
    expect(r.out.split('\t')[4]).toBe('allow');
  });

  it('exit 2 when the input, the policy or a --bool cannot be used', async () => {
    expect((await svirt('compute-av', join(dir, 'missing.txt'))).code).toBe(2);
    const bad = join(dir, 'bad.conf');
    writeFileSync(bad, 'class file\nallow a b : file read;\n');
    const p = await svirt('compute-av', '--policy', bad, join(dir, 'q.txt'));
    expect(p.code).toBe(2);
    expect(p.err).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error: `));
    expect((await svirt('compute-av', '--bool', 'virt_use_execmem=maybe', join(dir, 'q.txt'))).code).toBe(2);
    expect((await svirt('compute-av', '--bool', 'no_such_bool=1', join(dir, 'q.txt'))).code).toBe(2);
  });
});

describe('svirt check', () => {
  it('exit 0 and "allowed" for a guest on its own image', async () => {
    const r = await svirt('check', GUEST, OWN, 'file', 'read', 'open');
    expect(r.code).toBe(0);
    expect(r.out).toContain('verdict: allowed');
  });

  it('exit 1 with the failed MCS constraint and the missing categories', async () => {
    const r = await svirt('check', GUEST, OTHER, 'file', 'read');
    expect(r.code).toBe(1);
    expect(r.out).toContain('verdict: denied (CONS)');
    expect(r.out).toContain('h1 = s0:c1,c2, h2 = s0:c3,c4: the subject lacks c3,c4');
  });

  it('exit 2 for a bad context, class or permission', async () => {
    expect((await svirt('check', 'nope', OWN, 'file', 'read')).code).toBe(2);
    expect((await svirt('check', GUEST, OWN, 'nosuchclass', 'read')).code).toBe(2);
    expect((await svirt('check', GUEST, OWN, 'file', 'frobnicate')).code).toBe(2);
  });
});

describe('svirt context', () => {
  it('prints the kernel-canonical form; an invalid context is exit 2 with part and offset', async () => {
    const r = await svirt('context', 'system_u:system_r:svirt_t:s0:c5,c1,c2', `${GUEST}-s0:c1,c2`, 'system_u:system_r:svirt_t:s0:c5.c5');
    expect(r.out).toBe('system_u:system_r:svirt_t:s0:c1,c2,c5\nsystem_u:system_r:svirt_t:s0:c1,c2\n');
    expect(r.code).toBe(2);
    expect(r.err).toContain('at offset 29 (category)');
  });
});

describe('usage errors', () => {
  it('a missing argument or an unknown command is exit 2 with commander\'s message', async () => {
    const missing = await svirt('check', 'a');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("missing required argument 'tcontext'");
    const unknown = await svirt('nosuch');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("unknown command 'nosuch'");
    expect((await svirt('--help')).code).toBe(0);
  });
});
