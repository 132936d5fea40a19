/**
 * selabel_lookup semantics on small hand-written file_contexts (label_file.c / label_file.h):
 * precedence, type filter, stems, key normalisation, substitutions, PCRE2 `$`, results; loading
 * with validation, all or nothing. The Debian-wide comparison with libselinux is in
 * test/conformance/file-contexts.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SvirtError } from '../../src/errors.js';
import { embeddedFileContextsDir, fileContextsFromText, loadFileContexts } from '../../src/labeling/load.js';
import { loadEmbeddedPolicy } from '../../src/policy/load.js';

const C = (t: string): string => `system_u:object_r:${t}:s0`;

function fcOf(fileContexts: string, extra: { homedirs?: string; local?: string; subs?: string; subsDist?: string } = {}) {
  return fileContextsFromText({ fileContexts, ...extra });
}

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof SvirtError) return err.message;
    throw err;
  }
  return 'no error';
}

describe('which specification wins', () => {
  it('the last matching regex wins, and every exact path beats every regex, even from a later file', () => {
    const fc = fcOf(`/.*\t${C('default_t')}\n/a(/.*)?\t${C('a_t')}\n/a/b\t${C('exact_t')}\n/a/.*\t${C('later_t')}\n`, {
      homedirs: `/a/b.*\t${C('home_t')}\n`,
      local: `/a/c\t${C('local_exact_t')}\n`,
    });
    expect(fc.lookup('/x')).toBe(C('default_t'));
    expect(fc.lookup('/a')).toBe(C('a_t'));
    expect(fc.lookup('/a/z')).toBe(C('later_t'));
    expect(fc.lookup('/a/bz')).toBe(C('home_t')); // homedirs come after file_contexts
    expect(fc.lookup('/a/b')).toBe(C('exact_t')); // exact path beats the later regex
    expect(fc.lookup('/a/c')).toBe(C('local_exact_t'));
    expect(fc.match('/a/b')).toMatchObject({ regex: '/a/b', line: 3, file: 'file_contexts' });
  });

  it('an escaped metacharacter keeps a spec exact; `{` makes it a regex', () => {
    const fc = fcOf(`/etc/my\\.cnf\t${C('exact_t')}\n/etc/.*\t${C('etc_t')}\n/etc/a{b\t${C('brace_t')}\n/etc/a.*\t${C('a_t')}\n`);
    expect(fc.lookup('/etc/my.cnf')).toBe(C('exact_t'));
    expect(fc.lookup('/etc/myXcnf')).toBe(C('etc_t'));
    expect(fc.lookup('/etc/a{b')).toBe(C('a_t')); // `/etc/a{b` stays among the regexes, `/etc/a.*` is later
  });

  it('with a type only untyped specs and specs of that type apply; any tries all', () => {
    const fc = fcOf(`/m(/.*)?\t${C('m_t')}\n/m\t-d\t${C('dir_t')}\n/m/s\t-s\t${C('sock_t')}\n`);
    expect(fc.lookup('/m', 'any')).toBe(C('dir_t'));
    expect(fc.lookup('/m', 'dir')).toBe(C('dir_t'));
    expect(fc.lookup('/m', 'file')).toBe(C('m_t'));
    expect(fc.lookup('/m/s', 'sock')).toBe(C('sock_t'));
    expect(fc.lookup('/m/s', 'fifo')).toBe(C('m_t'));
  });

  it('<<none>> is a result of its own; no match is null', () => {
    const fc = fcOf(`/tmp/.*\t<<none>>\n/tmp/keep\t${C('keep_t')}\n`);
    expect(fc.lookup('/tmp/x')).toBe('<<none>>');
    expect(fc.lookup('/tmp/keep')).toBe(C('keep_t'));
    expect(fc.lookup('/tmp')).toBeNull();
    expect(fc.lookup('relative')).toBeNull();
  });

  it('component-indexed specs ([^/]+/) and literal ones merge in precedence order', () => {
    const fc = fcOf(`/.*\t${C('default_t')}\n/h/a/.*\t${C('lit_t')}\n/h/[^/]+/x\t${C('comp_t')}\n/h/[^/]+/?\t${C('opt_slash_t')}\n/h/[^/]+/[^/]+/z\t${C('two_t')}\n/h/a/y.*\t${C('lit_late_t')}\n`);
    expect(fc.lookup('/h/a/x')).toBe(C('comp_t')); // later than /h/a/.*
    expect(fc.lookup('/h/a/y1')).toBe(C('lit_late_t')); // later than /h/[^/]+/x, which does not match anyway
    expect(fc.lookup('/h/a/q')).toBe(C('lit_t'));
    expect(fc.lookup('/h/b')).toBe(C('opt_slash_t')); // `[^/]+/?` needs no slash after the component
    expect(fc.lookup('/h/b/c/z')).toBe(C('two_t'));
    expect(fc.lookup('/h/b/c/zz')).toBe(C('default_t'));
  });

  it('a spec whose stem holds a backslash is never tried (libselinux stem filter)', () => {
    const fc = fcOf(`/.*\t${C('default_t')}\n/a\\/b/c\t${C('never_t')}\n/q/r\t${C('q_t')}\n`);
    expect(fc.lookup('/a/b/c')).toBe(C('default_t'));
    expect(fc.lookup('/q/r')).toBe(C('q_t'));
  });
});

describe('the key', () => {
  const fc = fcOf(`/.*\t${C('default_t')}\n/etc(/.*)?\t${C('etc_t')}\n/etc/passwd\t--\t${C('passwd_t')}\n/run/.*\t<<none>>\n/var/lock(/.*)?\t${C('lock_t')}\n/usr/lib(/.*)?\t${C('lib_t')}\n`, {
    subsDist: '/lib64 /usr/lib\n/run/lock /var/lock\n/var/run /run\n/x /usr\n/x /usr/lib\n/root /\n',
  });
  it('runs of / collapse and one trailing / is dropped; . and .. are kept', () => {
    expect(fc.lookup('//etc///passwd', 'file')).toBe(C('passwd_t'));
    expect(fc.lookup('/etc/passwd/', 'file')).toBe(C('passwd_t'));
    expect(fc.lookup('/etc/./passwd', 'file')).toBe(C('etc_t'));
    expect(fc.key('/')).toBe('/');
    expect(fc.key('///')).toBe('/');
  });
  it('substitutions: whole components only, last line wins, applied once (no chaining), "/" swallows the separator', () => {
    expect(fc.lookup('/lib64/libc.so')).toBe(C('lib_t'));
    expect(fc.lookup('/lib64x/libc.so')).toBe(C('default_t'));
    expect(fc.lookup('/run/lock/x')).toBe(C('lock_t'));
    expect(fc.lookup('/var/run/lock/x')).toBe('<<none>>'); // -> /run/lock/x, not rewritten again
    expect(fc.key('/x/y')).toBe('/usr/lib/y');
    expect(fc.key('/root/etc')).toBe('/etc');
    expect(fc.key('/root')).toBe('/');
  });
  it('.subs rewrites first, then .subs_dist rewrites its result', () => {
    const f = fcOf(`/.*\t${C('default_t')}\n`, { subs: '/a /b\n', subsDist: '/b /c\n' });
    expect(f.key('/a/x')).toBe('/c/x');
    expect(f.key('/b/x')).toBe('/c/x');
  });
  it('matching is on UTF-8 bytes and `$` also matches before a final newline (PCRE2)', () => {
    const f = fcOf(`/.*\t${C('default_t')}\n/a.b\t${C('one_byte_t')}\n/c..d\t${C('two_bytes_t')}\n/e\t${C('e_t')}\n`);
    expect(f.lookup('/aéb')).toBe(C('default_t'));
    expect(f.lookup('/céd')).toBe(C('two_bytes_t'));
    expect(f.lookup('/e\n')).toBe(C('e_t'));
    expect(f.lookup('/e\n\n')).toBe(C('default_t'));
    expect(f.lookup('/a\nb')).toBe(C('one_byte_t'));
  });
  it('an empty path or one holding NUL is refused (EINVAL)', () => {
    expect(messageOf(() => fc.lookup(''))).toMatch(/empty path/);
    expect(messageOf(() => fc.lookup('/etc\0x'))).toMatch(/NUL/);
  });
});

describe('loading', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svirt-fc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const policy = loadEmbeddedPolicy();

  it('the embedded policy ships file_contexts for its own types, valid in it', () => {
    const fc = loadFileContexts(embeddedFileContextsDir(), { policy });
    expect(fc.lookup('/var/lib/libvirt/images/guest.qcow2', 'file')).toBe(C('virt_image_t'));
    expect(fc.lookup('/var/lib/libvirt/images/', 'dir')).toBe(C('virt_image_t'));
    expect(fc.lookup('/var/lib/libvirt/boot/debian.iso', 'file')).toBe(C('virt_content_t'));
    expect(fc.lookup('/dev/null', 'chr')).toBe(C('null_device_t'));
    expect(fc.lookup('/etc', 'dir')).toBe(C('etc_t'));
    expect(fc.lookup('/home/alice/notes.txt', 'file')).toBe('unconfined_u:object_r:user_home_t:s0');
    expect(fc.lookup('/tmp/x', 'file')).toBe('<<none>>');
    expect(fc.lookup('/var/lib/libvirt/qemu/x', 'file')).toBe(C('svirt_runtime_t'));
    expect(fc.lookup('/srv/x', 'file')).toBeNull();
  });

  it('validates contexts against the policy: unknown type at its column, exit-2 class error', () => {
    const text = `/a\t${C('virt_image_t')}\n/b\t--\tsystem_u:object_r:no_such_t:s0\n`;
    expect(messageOf(() => fileContextsFromText({ fileContexts: text }, { policy }))).toBe(
      'file_contexts:2:25: error: invalid context "system_u:object_r:no_such_t:s0" at offset 18 (type): unknown type "no_such_t"',
    );
    // without a policy nothing is validated
    expect(fileContextsFromText({ fileContexts: text }).lookup('/b', 'file')).toBe('system_u:object_r:no_such_t:s0');
  });

  it('refuses an invalid type field, an untranslatable regex and duplicates, naming file:line:col', () => {
    expect(messageOf(() => fcOf(`/a\t-x\t${C('t')}\n`))).toBe('file_contexts:1:4: error: invalid file type "-x" (expected -- -d -c -b -l -s -p)');
    expect(messageOf(() => fcOf(`/ok\t${C('t')}\n  /a(?i)b\t${C('t')}\n`))).toMatch(/^file_contexts:2:5: error: regex: group `\(\?i` is not supported/);
    expect(messageOf(() => fcOf(`/a(b*)*\t${C('t')}\n`))).toMatch(/^file_contexts:1:7: error: regex: repeated group/);
    const dup = `/a\t${C('virt_image_t')}\n/a\t--\t${C('virt_image_t')}\n`;
    expect(messageOf(() => fileContextsFromText({ fileContexts: dup }, { policy }))).toBe('file_contexts:2:1: error: multiple same specifications for "/a" -- (first at line 1)');
  });

  it('all or nothing: a bad line in a companion file fails the whole load', () => {
    writeFileSync(join(dir, 'file_contexts'), `/a\t${C('etc_t')}\n`);
    writeFileSync(join(dir, 'file_contexts.homedirs'), '/home/[^/]+/.+\tunconfined_u:object_r:user_home_t:s0\n/bad(\tunconfined_u:object_r:user_home_t:s0\n');
    expect(messageOf(() => loadFileContexts(dir, { policy }))).toBe(`${join(dir, 'file_contexts')}.homedirs:2:6: error: regex: missing \`)\``);
    writeFileSync(join(dir, 'file_contexts.homedirs'), '/home/[^/]+/.+\tunconfined_u:object_r:user_home_t:s0\n');
    writeFileSync(join(dir, 'file_contexts.subs_dist'), '/h /home\n');
    const fc = loadFileContexts(dir, { policy });
    expect(fc.lookup('/h/bob/x')).toBe('unconfined_u:object_r:user_home_t:s0');
    expect(loadFileContexts(join(dir, 'file_contexts'), { policy }).size).toBe(2);
    expect(loadFileContexts(dir, { policy, baseOnly: true }).size).toBe(1);
  });

  it('a missing directory or file_contexts is an E_IO error', () => {
    expect(messageOf(() => loadFileContexts(join(dir, 'nope')))).toMatch(/nope/);
  });
});
