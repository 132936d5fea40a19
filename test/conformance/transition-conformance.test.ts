/**
 * New-object label conformance: svirt's compute_create / compute_member / compute_relabel and
 * validatetrans must answer exactly as libsepol's sepol_transition_sid / sepol_member_sid /
 * sepol_change_sid / sepol_validate_transition_reason_buffer (transition-harness.c, linked against
 * the static libsepol.a) on Debian's policy.33, with the policy read by both svirt loaders (the
 * binary policy.33 and its `checkpolicy -F` text):
 * - ≥ 5,000 create/member/relabel queries from the policy's real type/role/range transition rules
 *   plus random ones, at default booleans; the conditional type rules again with every boolean
 *   that guards one flipped;
 * - default_user/role/type/range (every form, glblub included) and ≥ 2,000 validatetrans queries
 *   on Debian's policy.conf plus added rules (Debian's policy has none of either);
 * - file-name type_transitions: libsepol cannot answer them (sepol_transition_sid takes no name),
 *   so their expected answers are built from the rules setools' `sesearch -T` prints: libsepol's
 *   answer without the name, with the type replaced by the rule's (the kernel's
 *   filename_compute_type changes nothing else).
 *
 * svirt follows the kernel, which gives new sockets the creator's role, type and range; libsepol
 * does not. The comparison therefore runs svirt with `flavour: 'libsepol'`, and a separate test
 * checks that the kernel flavour differs from it only on socket classes.
 * Without Debian's packages the suite is skipped with a loud notice.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../src/policy/load.js';
import type { PolicyModel } from '../../src/policy/model.js';
import { KERNEL_SOCKET_CLASSES } from '../../src/security/label-tables.js';
import { answerLabelBatch } from '../../src/security/label-queries.js';
import { createSecurityServer, type WasmSecurityServer } from '../../src/security/server.js';
import type { NewLabelKind } from '../../src/security/compute-sid.js';
import { compilePolicy, debianConfText, DEBIAN_POLICY, tempDir } from './sepol.js';
import { defaultsQueries, labelQueries, validatetransQueries, withLabelExtras, type LabelQuerySet } from './transition-queries.js';
import {
  buildTransitionHarness,
  runTransitionHarness,
  sesearchNameTransitions,
  transitionToolsMissing,
  warnTransitionSkip,
  type NameTransition,
} from './transition-sepol.js';

const missing = transitionToolsMissing();
if (missing) warnTransitionSkip('new-object label conformance suite', missing);

const SEED = 0x5eed11;

/** svirt's answers to harness-format lines (`kind fields...`), in order. */
function oursFor(server: WasmSecurityServer, lines: readonly string[], flavour: 'kernel' | 'libsepol' = 'libsepol'): string[] {
  return lines.map((line) => {
    const sp = line.indexOf(' ');
    const kind = line.slice(0, sp) as NewLabelKind | 'validatetrans';
    const out = answerLabelBatch(server, kind, line.slice(sp + 1), flavour);
    return out[0] ?? '<no answer>';
  });
}

function mismatches(expected: readonly string[], actual: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    if (expected[i] !== actual[i]) out.push(`  #${i}\n    libsepol: ${expected[i] ?? '<missing>'}\n    svirt:    ${actual[i] ?? '<missing>'}`);
  }
  return out;
}

function expectSame(label: string, expected: readonly string[], actual: readonly string[]): void {
  const mm = mismatches(expected, actual);
  if (mm.length > 0) console.log(`${label}: ${mm.length} of ${expected.length} differ; first:\n${mm.slice(0, 15).join('\n')}`);
  expect(mm.length, `${label}: ${mm.length} answers differ from libsepol`).toBe(0);
}

function boolArgs(bools: Record<string, boolean>): string[] {
  return Object.entries(bools).flatMap(([k, v]) => ['--bool', `${k}=${v ? 1 : 0}`]);
}

function withBools(model: PolicyModel, bools: Record<string, boolean>): WasmSecurityServer {
  return createSecurityServer(model, { booleans: bools });
}

/** The new context with its type replaced (context text `user:role:type[:range]`). */
function withType(context: string, type: string): string {
  if (context.startsWith('ERR:')) return context;
  const parts = context.split(':');
  parts[2] = type;
  return parts.join(':');
}

describe.skipIf(missing !== undefined)('new-object labels: libsepol conformance on Debian policy.33', () => {
  let dir = '';
  let confPath = '';
  let extrasConf = '';
  let extrasBin = '';
  let queries: LabelQuerySet;
  let all: string[] = [];
  let extraLines: string[] = [];
  let vtLines: string[] = [];
  let nameRules: NameTransition[] = [];
  let nameLines: string[] = [];
  const expected = new Map<string, string[]>();

  beforeAll(() => {
    const harness = buildTransitionHarness();
    dir = tempDir('svirt-transitions-');
    const conf = debianConfText(dir);
    confPath = conf.path;
    extrasConf = join(dir, 'extras.conf');
    writeFileSync(extrasConf, withLabelExtras(conf.text));
    extrasBin = compilePolicy(extrasConf, dir, 'extras');

    const binary = loadPolicyFile(DEBIAN_POLICY);
    queries = labelQueries(binary, SEED);
    all = Object.values(queries.groups).flat();
    expected.set('default', runTransitionHarness(harness, DEBIAN_POLICY, all));
    expected.set('flipped', runTransitionHarness(harness, DEBIAN_POLICY, queries.groups.conditional, boolArgs(queries.flipped)));

    const extras = loadPolicyFile(extrasBin);
    extraLines = defaultsQueries(extras, SEED + 1, 3000);
    vtLines = validatetransQueries(extras, SEED + 2, 2500);
    expected.set('extras', runTransitionHarness(harness, extrasBin, extraLines));
    expected.set('vt-extras', runTransitionHarness(harness, extrasBin, vtLines));
    expected.set('vt-debian', runTransitionHarness(harness, DEBIAN_POLICY, vtLines));

    // file-name rules: libsepol's answer without the name, then the type from the rule
    nameRules = sesearchNameTransitions(DEBIAN_POLICY);
    nameLines = nameRules.map((r) => `create ${subjectFor(binary, r.source)} system_u:object_r:${r.target}:s0 ${r.tclass}`);
    expected.set('names-plain', runTransitionHarness(harness, DEBIAN_POLICY, nameLines));
  }, 600_000);

  it('builds a meaningful query mix from the policy\'s rules', () => {
    expect(all.length).toBeGreaterThanOrEqual(5000);
    const answers = expected.get('default')!;
    expect(answers.length).toBe(all.length);
    const results = answers.map((l) => l.split('\t').at(-1)!);
    // real transitions happen (a context different from every default) and errors occur too
    expect(results.filter((r) => r.includes(':object_r:') && !r.startsWith('ERR')).length).toBeGreaterThan(2000);
    expect(results.filter((r) => r === 'ERR:INVALID').length).toBeGreaterThan(10);
    expect(queries.groups.roles.length).toBeGreaterThan(300);
    expect(queries.groups.conditional.length).toBeGreaterThan(500);
    // flipping the booleans changes some conditional answers (the rules really are conditional)
    const flipped = expected.get('flipped')!;
    const base = answers.slice(all.indexOf(queries.groups.conditional[0]!), all.indexOf(queries.groups.conditional[0]!) + flipped.length);
    expect(flipped.filter((l, i) => l !== base[i]).length).toBeGreaterThan(50);
    expect(vtLines.length).toBeGreaterThanOrEqual(2000);
    const vt = expected.get('vt-extras')!.map((l) => l.split('\t').at(-1));
    expect(vt.filter((v) => v === 'deny').length).toBeGreaterThan(200);
    expect(vt.filter((v) => v === 'allow').length).toBeGreaterThan(200);
    expect(nameRules.length).toBeGreaterThan(500);
  });

  for (const source of ['binary', 'text'] as const) {
    describe(`policy read from ${source}`, () => {
      let model: PolicyModel;
      let extras: PolicyModel;
      beforeAll(() => {
        model = loadPolicyFile(source === 'binary' ? DEBIAN_POLICY : confPath);
        extras = loadPolicyFile(source === 'binary' ? extrasBin : extrasConf);
      }, 300_000);

      it('create / member / relabel agree with libsepol at default booleans', () => {
        expectSame(`${source} default`, expected.get('default')!, oursFor(createSecurityServer(model), all));
      });

      it('conditional type rules follow the booleans', () => {
        expectSame(`${source} flipped`, expected.get('flipped')!, oursFor(withBools(model, queries.flipped), queries.groups.conditional));
      });

      it('default_user / default_role / default_type / default_range agree with libsepol', () => {
        expectSame(`${source} defaults`, expected.get('extras')!, oursFor(createSecurityServer(extras), extraLines));
      });

      it('validatetrans / mlsvalidatetrans agree with libsepol', () => {
        expectSame(`${source} validatetrans`, expected.get('vt-extras')!, oursFor(createSecurityServer(extras), vtLines));
        expectSame(`${source} validatetrans (Debian)`, expected.get('vt-debian')!, oursFor(createSecurityServer(model), vtLines));
      });

      it('file-name type_transitions give the rule\'s type (expected answers from sesearch -T)', () => {
        const server = createSecurityServer(model);
        const plain = expected.get('names-plain')!;
        const want: string[] = [];
        const got: string[] = [];
        nameRules.forEach((r, i) => {
          const result = plain[i]!.split('\t').at(-1)!;
          const [, s, t, c] = nameLines[i]!.split(' ');
          const named = answerLabelBatch(server, 'create', `${s} ${t} ${c} ${r.name}`, 'libsepol')[0]!.split('\t').at(-1)!;
          const other = answerLabelBatch(server, 'create', `${s} ${t} ${c} svirt-no-such-name`, 'libsepol')[0]!.split('\t').at(-1)!;
          want.push(withType(result, r.result), result);
          got.push(named, other);
        });
        expectSame(`${source} names`, want, got);
      });
    });
  }

  it('the kernel flavour differs from libsepol only on socket classes', () => {
    const model = loadPolicyFile(DEBIAN_POLICY);
    const server = createSecurityServer(model);
    const kernel = oursFor(server, all, 'kernel');
    const sepol = expected.get('default')!;
    let socketDiffs = 0;
    all.forEach((line, i) => {
      const cls = line.split(' ')[3]!;
      if (KERNEL_SOCKET_CLASSES.has(cls)) {
        if (kernel[i] !== sepol[i]) socketDiffs++;
      } else expect(kernel[i], line).toBe(sepol[i]);
    });
    expect(socketDiffs).toBeGreaterThan(20);
  });
});

/** A context for a rule's source type: its first role with a user, else object_r. */
function subjectFor(model: PolicyModel, typeName: string): string {
  const t = model.types.find((x) => x.name === typeName)!;
  for (const r of model.roles) {
    if (r.value === 1 || !r.types.includes(t.value)) continue;
    const u = model.users.find((x) => x.roles.includes(r.value));
    if (u) return `${u.name}:${r.name}:${typeName}:s0`;
  }
  return `system_u:object_r:${typeName}:s0`;
}
