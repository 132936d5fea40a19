/**
 * Binary policies libsepol refuses for duplicates, and count/length fields that claim more than the
 * file holds: each refused with a BinaryPolicyError naming the section and byte offset, before
 * anything is allocated. Where the libsepol oracle (test/conformance/sepol-load.c) can be built,
 * each mutant is also shown to be refused by libsepol's policydb_read.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BinaryPolicyError } from '../../src/errors.js';
import { binaryPolicySections, readBinaryPolicy } from '../../src/policy/binary.js';
import { avtabItemSize, avtabItems, condLists, duplicateRecord, withU32 } from '../conformance/mutate.js';
import { buildHarness, debianMissing } from '../conformance/sepol.js';
import { DEBIAN_POLICY, HAVE_CHECKPOLICY, HAVE_DEBIAN_POLICY, compilePolicy, fixtureText, tempDir, warnSkip } from './binary-env.js';

if (!HAVE_CHECKPOLICY) warnSkip('binary-duplicates needs checkpolicy to compile its fixture');
const oracleMissing = debianMissing();
if (oracleMissing) warnSkip(`binary-duplicates: libsepol cross-check (${oracleMissing})`);

function sectionAt(bytes: Uint8Array, name: string): number {
  return binaryPolicySections(bytes).find((m) => m.section === name)!.offset;
}

function refusal(bytes: Uint8Array): BinaryPolicyError {
  try {
    readBinaryPolicy(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(BinaryPolicyError);
    return e as BinaryPolicyError;
  }
  throw new Error('expected the policy to be refused');
}

let loader: string | undefined;
/** libsepol's verdict ('ok' | 'refused'), or undefined without the Debian packages. */
function libsepol(bytes: Uint8Array): string | undefined {
  if (oracleMissing) return undefined;
  loader ??= join(buildHarness(), '..', 'sepol-load');
  const file = join(tempDir(), `dup-${Math.random().toString(36).slice(2)}.bin`);
  writeFileSync(file, bytes);
  return spawnSync(loader, [], { input: `${file}\n`, encoding: 'utf8' }).stdout.trim();
}

function expectLibsepolRefuses(bytes: Uint8Array): void {
  const v = libsepol(bytes);
  if (v !== undefined) expect(v).toBe('refused');
}

describe.skipIf(!HAVE_CHECKPOLICY)('duplicates libsepol refuses (fixture compiled by checkpolicy)', () => {
  const src = (): Uint8Array => compilePolicy(fixtureText(), 33);

  it('the unmutated fixture loads in both', () => {
    expect(readBinaryPolicy(src()).avtab.length).toBeGreaterThan(0);
    const v = libsepol(src());
    if (v !== undefined) expect(v).toBe('ok');
  });

  it('a duplicate unconditional avtab key is refused naming the key and the offset of the copy', () => {
    const bytes = src();
    const avtabAt = sectionAt(bytes, 'avtab');
    const first = avtabAt + 4;
    const size = avtabItemSize(bytes, first);
    const dup = duplicateRecord(bytes, first, size, avtabAt);
    const e = refusal(dup);
    expect(e.section).toBe('avtab');
    expect(e.offset).toBe(first + size);
    expect(e.message).toMatch(new RegExp(`duplicate avtab key \\((allow|dontaudit|auditallow|type_transition|type_member|type_change) \\S+ \\S+:\\S+\\), first at byte ${first}`));
    expectLibsepolRefuses(dup);
  });

  it('a conditional type rule repeated in the same list is refused', () => {
    const bytes = src();
    const lists = condLists(bytes, sectionAt(bytes, 'conditionals'));
    let found = false;
    for (const listAt of lists) {
      for (const at of avtabItems(bytes, listAt, 1000).items) {
        const specified = (bytes[at + 6]! | (bytes[at + 7]! << 8)) & 0x70;
        if (specified === 0) continue;
        const dup = duplicateRecord(bytes, at, avtabItemSize(bytes, at), listAt);
        const e = refusal(dup);
        expect(e.section).toBe('conditionals');
        expect(e.message).toMatch(/conflicting conditional type rules \(type_transition \S+ \S+:\S+\), first at byte \d+/);
        expectLibsepolRefuses(dup);
        found = true;
        break;
      }
      if (found) break;
    }
    expect(found).toBe(true);
  });

  it('a duplicate type name is refused', () => {
    const bytes = src();
    const typesAt = sectionAt(bytes, 'symbols/types');
    const rec = typesAt + 8;
    const size = 16 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(rec, true);
    const dup = duplicateRecord(bytes, rec, size, typesAt + 4);
    expect(refusal(dup).message).toMatch(/symbols\/types at byte \d+: .*(twice|duplicate|two records)/);
    expectLibsepolRefuses(dup);
  });
});

describe.skipIf(!HAVE_CHECKPOLICY)('a count or length that claims 4 GiB is refused before anything is allocated', () => {
  const src = (): Uint8Array => compilePolicy(fixtureText(), 33);

  it('avtab element count 2^32-1: refused at the count field', () => {
    const bytes = src();
    const avtabAt = sectionAt(bytes, 'avtab');
    const before = process.memoryUsage().heapUsed;
    const e = refusal(withU32(bytes, avtabAt, 0xffffffff));
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(256 * 1024 * 1024);
    expect(e.section).toBe('avtab');
    expect(e.offset).toBe(avtabAt);
    expect(e.message).toMatch(/avtab item count 4294967295 cannot fit in the \d+ byte\(s\) left/);
    expectLibsepolRefuses(withU32(bytes, avtabAt, 0xffffffff));
  });

  it('a type name length of 2^32-1: refused at the length field', () => {
    const bytes = src();
    const rec = sectionAt(bytes, 'symbols/types') + 8;
    const e = refusal(withU32(bytes, rec, 0xffffffff));
    expect(e.offset).toBe(rec);
    expect(e.message).toMatch(/name length 4294967295 exceeds the \d+ byte\(s\) left/);
    expectLibsepolRefuses(withU32(bytes, rec, 0xffffffff));
  });

  it('a symbol table claiming 2^32-1 records: refused at its header', () => {
    const bytes = src();
    const typesAt = sectionAt(bytes, 'symbols/types');
    const e = refusal(withU32(bytes, typesAt + 4, 0xffffffff));
    expect(e.message).toMatch(/types record count 4294967295 cannot fit/);
    expect(e.offset).toBe(typesAt + 4);
  });
});

describe.skipIf(!HAVE_DEBIAN_POLICY)("Debian's policy.33 with a duplicate avtab key", () => {
  it('is refused naming the key and offset', () => {
    const bytes = new Uint8Array(readFileSync(DEBIAN_POLICY));
    const avtabAt = sectionAt(bytes, 'avtab');
    const items = avtabItems(bytes, avtabAt, 200).items;
    const at = items[123]!;
    const size = avtabItemSize(bytes, at);
    const e = refusal(duplicateRecord(bytes, at, size, avtabAt));
    expect(e.offset).toBe(at + size);
    expect(e.message).toMatch(new RegExp(`^binary policy: avtab at byte ${at + size}: duplicate avtab key \\(\\w+ \\S+ \\S+:\\S+\\), first at byte ${at}: libsepol and the kernel refuse it$`));
    expectLibsepolRefuses(duplicateRecord(bytes, at, size, avtabAt));
  });
});
