/**
 * A policy.conf is refused when a section checkpolicy's grammar requires is missing or when
 * statements are out of section order (src/policy/compile/sections.ts), when labeling statements
 * repeat (compile/labeling.ts), and its diagnostics are one line each, capped in the message.
 * Each refusal is checked against checkpolicy itself when it is installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MESSAGE_DIAGNOSTICS, PolicySyntaxError } from '../../src/errors.js';
import { parsePolicyText } from '../../src/policy/load.js';
import { generateDebianConf, hasTool } from './text-helpers.js';

const HAVE_CHECKPOLICY = hasTool('checkpolicy');
if (!HAVE_CHECKPOLICY) console.warn('\n*** text-sections: checkpolicy comparisons SKIPPED — apt-get install checkpolicy ***\n');

/** A complete small policy: every mandatory section, one constraint, a few labeling statements. */
const COMPLETE = `class process
class file
sid kernel
sid security
common file { read write }
class process { transition }
class file inherits file
type kernel_t;
type file_t;
role system_r;
role system_r types kernel_t;
allow kernel_t file_t:file read;
user system_u roles system_r;
constrain file write ( u1 == u2 );
sid kernel system_u:system_r:kernel_t
sid security system_u:object_r:file_t
fs_use_xattr ext4 system_u:object_r:file_t;
genfscon proc / system_u:object_r:file_t
portcon tcp 22 system_u:object_r:file_t
`;

const dir = mkdtempSync(join(tmpdir(), 'svirt-sections-'));
let n = 0;

/** checkpolicy's verdict on a text (undefined when checkpolicy is missing). */
function checkpolicyAccepts(text: string): boolean | undefined {
  if (!HAVE_CHECKPOLICY) return undefined;
  const file = join(dir, `t${n++}.conf`);
  writeFileSync(file, text);
  const mls = /^\s*sensitivity\s/m.test(text) ? ['-M'] : [];
  return spawnSync('checkpolicy', [...mls, '-o', '/dev/null', file], { stdio: 'ignore' }).status === 0;
}

function refusal(text: string, file = 'p.conf'): PolicySyntaxError {
  try {
    parsePolicyText(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(PolicySyntaxError);
    return e as PolicySyntaxError;
  }
  throw new Error('expected the policy to be refused');
}

/** Refused by svirt with a message matching `pattern`, and by checkpolicy. */
function expectRefused(text: string, pattern: RegExp): PolicySyntaxError {
  const e = refusal(text);
  expect(e.message).toMatch(pattern);
  const cp = checkpolicyAccepts(text);
  if (cp !== undefined) expect(cp).toBe(false);
  return e;
}

function lineCount(text: string): number {
  return text.split('\n').length;
}

describe('mandatory sections and their order', () => {
  it('the complete small policy loads, and checkpolicy accepts it', () => {
    expect(parsePolicyText(COMPLETE).types.length).toBe(2);
    const cp = checkpolicyAccepts(COMPLETE);
    if (cp !== undefined) expect(cp).toBe(true);
  });

  it('an empty file and a comment-only file are not policies', () => {
    expect(expectRefused('', /p\.conf:1:1: error: no policy statements \(an empty or comment-only file is not a policy\)/).diagnostics).toHaveLength(1);
    expectRefused('# only a comment\n\n   # another\n', /p\.conf:4:1: error: no policy statements/);
  });

  it('a file cut before its constraints is refused at the end of input, naming the missing initial SID contexts', () => {
    const cut = COMPLETE.slice(0, COMPLETE.indexOf('constrain '));
    const e = expectRefused(cut, /missing initial SID contexts \('sid NAME CONTEXT'\)/);
    expect(e.diagnostics).toHaveLength(1);
    expect(e.diagnostics[0]!.line).toBe(lineCount(cut));
  });

  it('missing initial SID declarations, class permissions, TE statements or users are each named', () => {
    expectRefused(COMPLETE.replace(/^sid (kernel|security)\n/gm, ''), /missing initial SID declarations \('sid NAME'\)/);
    expectRefused(COMPLETE.replace('class process { transition }\n', '').replace('class file inherits file\n', ''), /missing class permissions/);
    expectRefused(COMPLETE.replace(/^user .*\n/m, ''), /missing users/);
  });

  it('an MLS policy needs dominance, levels and at least one MLS constraint', () => {
    const mls = COMPLETE.replace('class file inherits file\n', 'class file inherits file\nsensitivity s0;\ndominance { s0 }\ncategory c0;\nlevel s0:c0;\nmlsconstrain file read ( l1 eq l2 );\n')
      .replace('roles system_r;', 'roles system_r level s0 range s0 - s0:c0;')
      .replace(/(system_u:\w+:\w+)$/gm, '$1:s0')
      .replace(/(system_u:\w+:\w+);$/gm, '$1:s0;');
    expect(parsePolicyText(mls).mls).toBe(true);
    const cp = checkpolicyAccepts(mls);
    if (cp !== undefined) expect(cp).toBe(true);
    expectRefused(mls.replace(/^mlsconstrain .*\n/m, ''), /missing MLS constraints/);
  });

  it('a statement out of section order is refused where it stands', () => {
    const moved = COMPLETE.replace('type file_t;\n', '').replace('constrain file', 'type file_t;\nconstrain file');
    const e = expectRefused(moved, /'type' statement out of order: type enforcement and role statements must come before the users \(from line 12\)/);
    expect(e.diagnostics[0]!.line).toBe(moved.split('\n').indexOf('type file_t;') + 1);
  });

  it("'role R types …' needs 'role R;' first, as checkpolicy", () => {
    expectRefused(COMPLETE.replace('role system_r;\n', ''), /unknown role 'system_r' \(declare it with 'role system_r;' first\)/);
  });

  it("';' counts as a TE statement but is not allowed in a conditional block", () => {
    expectRefused(COMPLETE.replace('allow kernel_t', 'bool b true;\nif (b) { ; }\nallow kernel_t'), /empty statement ';' is not allowed inside a conditional block/);
  });
});

describe('labeling statements checkpolicy refuses', () => {
  it.each([
    ['fs_use twice', 'fs_use_task ext4 system_u:object_r:file_t;\n', 'fs_use_xattr', /duplicate fs_use entry for file system type 'ext4'/],
    ['genfscon twice', 'genfscon proc / -- system_u:object_r:file_t\n', 'genfscon', /duplicate genfscon entry for \(proc, \/\)/],
    ['portcon twice', 'portcon tcp 22 system_u:object_r:file_t\n', 'portcon', /duplicate portcon entry for tcp 22-22/],
    ['portcon hidden', 'portcon tcp 1-100 system_u:object_r:file_t\n', 'portcon', /portcon entry for tcp 22-22 is hidden by the earlier entry for 1-100/],
    ['Xen pirqcon', 'pirqcon 3 system_u:object_r:file_t\n', 'portcon', /'pirqcon' is for Xen policies/],
  ])('%s', (_name, line, before, pattern) => {
    const text = before === 'portcon' && line.startsWith('pirqcon') ? `${COMPLETE}${line}` : COMPLETE.replace(new RegExp(`^${before}`, 'm'), `${line}${before}`);
    expectRefused(text, pattern);
  });

  it('a later portcon range that is not inside an earlier one is accepted (as checkpolicy)', () => {
    const text = `${COMPLETE}portcon tcp 20-30 system_u:object_r:file_t\n`;
    expect(parsePolicyText(text).other.filter((o) => o.kind === 'portcon')).toHaveLength(2);
    const cp = checkpolicyAccepts(text);
    if (cp !== undefined) expect(cp).toBe(true);
  });

  it('a repeated user statement and an equal repeated default_* are accepted (as checkpolicy)', () => {
    const text = COMPLETE.replace(/^(user .*\n)/m, '$1$1').replace('type kernel_t;', 'default_user file source;\ndefault_user file source;\ntype kernel_t;');
    expect(parsePolicyText(text).users).toHaveLength(1);
    const cp = checkpolicyAccepts(text);
    if (cp !== undefined) expect(cp).toBe(true);
  });
});

describe('diagnostics of a garbage file', () => {
  it('the message lists the first 20, one line each, then "… N more errors"; the error keeps all', () => {
    const garbage = Array.from({ length: 500 }, (_, i) => `bogus${i} \u0007\x1b[31m;`).join('\n');
    const e = refusal(garbage, 'garbage.conf');
    expect(e.diagnostics.length).toBeGreaterThan(500);
    const lines = e.message.split('\n');
    expect(lines).toHaveLength(MESSAGE_DIAGNOSTICS + 1);
    expect(lines[MESSAGE_DIAGNOSTICS]).toBe(`… ${e.diagnostics.length - MESSAGE_DIAGNOSTICS} more errors`);
    for (const l of lines) expect(l).not.toMatch(/[\u0000-\u001f]/);
  });

  it('a quoted token is escaped and cut to ~80 characters', () => {
    const e = refusal(`class c\nsid k\nclass c { p }\ntype t;\nallow t t:c p;\n"${'x'.repeat(5000)}\u0007"\n`, 'q.conf');
    for (const d of e.diagnostics) {
      expect(d.message.length).toBeLessThanOrEqual(240);
      expect(d.message).not.toMatch(/[\u0000-\u001f]/);
    }
  });
});

describe.skipIf(!HAVE_CHECKPOLICY)("Debian's policy.conf cut before its constraints", () => {
  it('is refused naming the missing initial SID contexts; checkpolicy refuses it too', () => {
    const path = generateDebianConf();
    if (!path) return;
    const text = execFileSync('cat', [path], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const cut = text.slice(0, text.search(/^constrain /m));
    expect(cut.length).toBeGreaterThan(1_000_000);
    const e = refusal(cut, 'debian-cut.conf');
    expect(e.diagnostics).toHaveLength(1);
    expect(e.message).toMatch(/^debian-cut\.conf:\d+:1: error: the policy is incomplete \(cut short\?\): missing initial SID contexts/);
    expect(e.diagnostics[0]!.line).toBe(lineCount(cut));
    expect(checkpolicyAccepts(cut)).toBe(false);
  }, 120_000);
});
