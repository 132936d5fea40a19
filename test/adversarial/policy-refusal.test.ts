/**
 * Refuse what checkpolicy and libsepol refuse; never load less than was written:
 * - a policy.conf truncated anywhere before its initial SID contexts (a section the checkpolicy
 *   grammar makes mandatory), or with a mandatory section removed, is refused by name;
 * - an empty, blank or comment-only file is not a policy;
 * - a binary policy with a duplicate avtab key is refused (S libsepol/src/avtab.c avtab_read_item:
 *   "Duplicate entry"), naming a byte offset inside the avtab.
 * Where checkpolicy is installed, every text case is also compiled by it: it must refuse too, so
 * the expectation is ground truth, not taste.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BinaryPolicyError, SvirtError } from '../../src/errors.js';
import { readBinaryPolicy } from '../../src/policy/binary.js';
import { embeddedPolicyPath, parsePolicyText } from '../../src/policy/load.js';
import { seededRng } from '../../src/label/mcs-alloc.js';
import { ByteWriter, buildMinimalPolicy } from '../policy/binary-builder.js';
import { HAVE_CHECKPOLICY, warnSkip } from '../policy/binary-env.js';
import { expectRefused, svirt } from './cli-run.js';
import { DENIED_BY_FULL_POLICY, probeAllows } from './policy-probe.js';
import { classifyThrown, isOneLine, record } from './tally.js';

const SUITE = 'policy-refusal';
const FULL = readFileSync(embeddedPolicyPath(), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'svirt-adv-policy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
if (!HAVE_CHECKPOLICY) warnSkip('checkpolicy cross-check of the damaged policy.conf cases');

/** checkpolicy's verdict on a text (true = compiles); undefined when checkpolicy is absent. */
function checkpolicyAccepts(text: string, tag: string): boolean | undefined {
  if (!HAVE_CHECKPOLICY) return undefined;
  const conf = join(tmp, `${tag}.conf`);
  writeFileSync(conf, text);
  try {
    execFileSync('checkpolicy', ['-M', '-c', '33', '-o', join(tmp, `${tag}.33`), conf], { stdio: 'pipe', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Load `text`; record and assert a typed refusal; a load that happened is probed for wrong allows. */
function expectTextRefused(what: string, text: string): SvirtError {
  let thrown: unknown;
  try {
    const model = parsePolicyText(text, 'damaged.conf');
    const allows = probeAllows(model);
    record(SUITE, allows.length > 0 ? 'wrong-allow' : 'ok', `${what}: loaded${allows.length ? `, allows ${allows.map((p) => `${p.tclass} ${p.perms.join(',')}`).join('; ')}` : ''}`);
  } catch (err) {
    thrown = err;
    record(SUITE, classifyThrown(err), what);
  }
  expect(thrown, `${what}: a damaged policy loaded`).toBeInstanceOf(SvirtError);
  expect((thrown as SvirtError).code).not.toBe('');
  return thrown as SvirtError;
}

const lines = FULL.split('\n');
const firstSidContext = lines.findIndex((l) => /^sid kernel \S+:/.test(l));

describe('the full embedded policy (the reference for every probe)', () => {
  it('loads and denies every probe', () => {
    expect(firstSidContext).toBeGreaterThan(0);
    expect(probeAllows(parsePolicyText(FULL))).toEqual([]);
    expect(DENIED_BY_FULL_POLICY.length).toBeGreaterThan(0);
  });
});

describe('a policy.conf truncated before its initial SID contexts is refused', () => {
  const rng = seededRng(0x15);
  const cuts = new Set<number>();
  // every truncation point named by the issue: before the constraints, before the users, before the SID contexts
  for (const re of [/^constrain /, /^user /, /^role /, /^mlsconstrain /, /^allow /, /^if /]) {
    const i = lines.findIndex((l) => re.test(l));
    if (i > 0) cuts.add(lines.slice(0, i).join('\n').length);
  }
  cuts.add(lines.slice(0, firstSidContext).join('\n').length);
  const limit = lines.slice(0, firstSidContext).join('\n').length;
  while (cuts.size < 20) cuts.add(Math.floor(rng() * limit)); // seeded, also mid-token
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    it(`truncated at byte ${cut}`, () => {
      const text = FULL.slice(0, cut);
      const cp = checkpolicyAccepts(text, `trunc-${cut}`);
      if (cp !== undefined) expect(cp, 'checkpolicy refuses this truncation').toBe(false);
      expectTextRefused(`truncated at byte ${cut}`, text);
    });
  }
});

describe('a policy.conf missing a mandatory section is refused', () => {
  const without = (re: RegExp): string => lines.filter((l) => !re.test(l)).join('\n');
  const cases: Array<[string, string]> = [
    ['initial SID contexts', without(/^sid \S+ \S+:/)],
    ['initial SID declarations', without(/^sid \S+\s*$/)],
    ['users', without(/^user /)],
    ['class declarations', without(/^class \S+\s*$/)],
  ];
  for (const [name, text] of cases) {
    it(`without ${name}`, () => {
      const cp = checkpolicyAccepts(text, `without-${name.replace(/\W/g, '-')}`);
      if (cp !== undefined) expect(cp, `checkpolicy refuses a policy without ${name}`).toBe(false);
      const err = expectTextRefused(`without ${name}`, text);
      expect(isOneLine(err.message.split('\n')[0]!)).toBe(true);
    });
  }
});

describe('an empty or comment-only file is not a policy', () => {
  const cases: Array<[string, string]> = [
    ['empty', ''],
    ['newline', '\n'],
    ['blank', '   \n\t\n  '],
    ['comment-only', '# handle_unknown deny\n# nothing else\n'],
    ['comments and blanks', '\n# a\n\n   # b\n'],
  ];
  for (const [name, text] of cases) {
    it(`${name} (library)`, () => {
      const cp = checkpolicyAccepts(text, `empty-${name.replace(/\W/g, '-')}`);
      if (cp !== undefined) expect(cp, 'checkpolicy refuses it').toBe(false);
      expectTextRefused(name, text);
    });
    it(`${name} (CLI --policy)`, async () => {
      const file = join(tmp, `empty-${name.replace(/\W/g, '-')}.conf`);
      writeFileSync(file, text);
      const r = await svirt('check', '--policy', file, 'system_u:system_r:svirt_t:s0', 'system_u:system_r:svirt_t:s0', 'file', 'read');
      expectRefused(SUITE, `cli ${name} policy`, r);
    });
  }

  it('truncated policy through the CLI: exit 2, one line', async () => {
    const file = join(tmp, 'truncated.conf');
    writeFileSync(file, lines.slice(0, lines.findIndex((l) => /^constrain /.test(l))).join('\n'));
    const r = await svirt('check', '--policy', file, ...Object.values(DENIED_BY_FULL_POLICY[0]!).flat());
    if (r.code === 0) record(SUITE, 'wrong-allow', 'cli truncated policy allowed a cross-MCS read');
    expectRefused(SUITE, 'cli truncated policy', r);
  });
});

/** The minimal binary policy with its one avtab item written twice (first `first`, then `second` perms). */
function duplicateAvtab(first: number, second: number): { bytes: Uint8Array; avtabStart: number; avtabEnd: number } {
  const { bytes, at } = buildMinimalPolicy();
  const start = at['avtab']!;
  const item = at['avtab.item']!;
  const end = at['conds']!;
  expect(end - item).toBe(12); // key (4 × u16) + one u32 datum
  const key = bytes.slice(item, item + 8);
  const w = new ByteWriter();
  w.bytes(bytes.subarray(0, start)).u32(2).bytes(key).u32(first).bytes(key).u32(second).bytes(bytes.subarray(end));
  return { bytes: w.done(), avtabStart: start, avtabEnd: end + 12 };
}

describe('a binary policy with a duplicate avtab key is refused', () => {
  it('the builder policy itself loads (the control)', () => {
    expect(() => readBinaryPolicy(buildMinimalPolicy().bytes)).not.toThrow();
  });
  for (const [first, second] of [
    [1, 2],
    [3, 3],
    [2, 1],
  ] as const) {
    it(`allow perms ${first} then ${second} for the same key`, () => {
      const { bytes, avtabStart, avtabEnd } = duplicateAvtab(first, second);
      let thrown: unknown;
      try {
        readBinaryPolicy(bytes, 'dup.33');
        record(SUITE, first !== (first | second) ? 'wrong-allow' : 'ok', `duplicate avtab key ${first}/${second}: loaded (merged)`);
      } catch (err) {
        thrown = err;
        record(SUITE, classifyThrown(err), `duplicate avtab key ${first}/${second}`);
      }
      expect(thrown, 'libsepol refuses a duplicate avtab key').toBeInstanceOf(BinaryPolicyError);
      const e = thrown as BinaryPolicyError;
      expect(e.message).toMatch(/avtab/i);
      expect(e.offset).toBeGreaterThanOrEqual(avtabStart);
      expect(e.offset).toBeLessThanOrEqual(avtabEnd);
      expect(isOneLine(e.message)).toBe(true);
    });
  }
  it('through the CLI: exit 2, one line', async () => {
    const file = join(tmp, 'dup.33');
    writeFileSync(file, duplicateAvtab(1, 2).bytes);
    const r = await svirt('check', '--policy', file, 'sys_u:sys_r:dom_t:s0', 'sys_u:object_r:dom_t:s0', 'file', 'write');
    if (r.code === 0) record(SUITE, 'wrong-allow', 'cli duplicate avtab key: write allowed by the merged duplicate');
    expectRefused(SUITE, 'cli duplicate avtab key', r);
  });
});
