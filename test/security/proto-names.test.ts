/**
 * Names that are also Object.prototype members (`__proto__`, `constructor`, `toString`,
 * `hasOwnProperty`, `valueOf`) given as boolean, type, role, user, sensitivity, category, class and
 * permission names everywhere a caller can give one — library calls, LoadPolicyOptions, `--bool`,
 * the `check`, `compute-av` and `stress` commands, policy text — and as guest and setrans names.
 * Each is an unknown name (a typed error or a denial), never an allow; and where a policy (or a
 * setrans.conf, or a guest definition) really defines such a name, it means what it says.
 */
import { describe, expect, test } from 'vitest';
import { GuestError, SvirtError } from '../../src/errors.js';
import { LabelManager } from '../../src/label/manager.js';
import { seededRng } from '../../src/label/mcs-alloc.js';
import { createMemoryStore } from '../../src/label/store.js';
import { loadEmbeddedPolicy, parsePolicyText } from '../../src/policy/load.js';
import { parseBoolAssignments } from '../../src/security/bool-assignments.js';
import { defaultBoolStates, referenceComputeAv } from '../../src/security/reference.js';
import { createSecurityServer } from '../../src/security/server.js';
import { parseContext } from '../../src/context/context.js';
import { parseSetrans } from '../../src/context/setrans.js';
import { buildSymbolIndex } from '../../src/policy/model.js';
import { svirt, svirtWithStdin } from '../support/cli.js';
import { simPolicyText } from '../sim/sim-policy.js';

const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
const GUEST = 'system_u:system_r:svirt_t:s0:c1,c2';
const OWN = 'system_u:object_r:svirt_image_t:s0:c1,c2';

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SvirtError);
    expect(String((e as Error).message)).not.toMatch(/\n/);
    return (e as SvirtError).code;
  }
  return 'no error';
}

describe('prototype-member names are unknown names everywhere', () => {
  const model = loadEmbeddedPolicy();
  const ss = createSecurityServer(model);
  const file = ss.classValue('file');

  test.each(NAMES)('%s as a boolean: setBoolean, getBoolean, LoadPolicyOptions (object, JSON, Map), --bool, defaultBoolStates', (name) => {
    const seq = ss.seqno;
    expect(code(() => ss.setBoolean(name, true))).toBe('E_UNKNOWN_BOOL');
    expect(code(() => ss.getBoolean(name))).toBe('E_UNKNOWN_BOOL');
    expect(ss.seqno).toBe(seq);
    const json = JSON.parse(`{${JSON.stringify(name)}: true}`) as Record<string, boolean>; // an own key, also for __proto__
    expect(code(() => createSecurityServer(model, { booleans: json }))).toBe('E_UNKNOWN_BOOL');
    expect(code(() => createSecurityServer(model, { booleans: new Map([[name, true]]) }))).toBe('E_UNKNOWN_BOOL');
    const parsed = parseBoolAssignments([`${name}=1`]);
    expect(Object.keys(parsed)).toEqual([name]); // kept as a name, not swallowed as a prototype
    expect(code(() => createSecurityServer(model, { booleans: parsed }))).toBe('E_UNKNOWN_BOOL');
    expect(code(() => defaultBoolStates(model, json))).toBe('E_UNKNOWN_BOOL');
  });

  test.each(NAMES)('%s as a class, a permission, and each part of a context', (name) => {
    expect(code(() => ss.classValue(name))).toBe('E_UNKNOWN_CLASS');
    expect(code(() => ss.permMask(file, [name]))).toBe('E_UNKNOWN_PERM');
    expect(code(() => ss.permMask(file, ['read', name]))).toBe('E_UNKNOWN_PERM');
    for (const ctx of [`${name}:system_r:svirt_t:s0`, `system_u:${name}:svirt_t:s0`, `system_u:system_r:${name}:s0`, `system_u:system_r:svirt_t:${name}`, `system_u:system_r:svirt_t:s0:${name}`, `system_u:system_r:svirt_t:s0-${name}`]) {
      expect(code(() => ss.contextToSid(ctx)), ctx).toBe('E_CONTEXT');
    }
  });

  test.each(NAMES)('%s through the CLI: check and compute-av refuse it, --bool for check, compute-av and stress exits 2', async (name) => {
    for (const args of [
      ['check', GUEST, OWN, name, 'read'],
      ['check', GUEST, OWN, 'file', name],
      ['check', GUEST, OWN, 'file', `read,${name}`],
      ['check', `system_u:system_r:${name}:s0`, OWN, 'file', 'read'],
      ['check', GUEST, `system_u:${name}:svirt_image_t:s0`, 'file', 'read'],
      ['check', '--bool', `${name}=1`, GUEST, OWN, 'file', 'read'],
      ['compute-av', '--bool', `${name}=1`],
      ['stress', '--bool', `${name}=1`, '--guests', '2', '--ops', '1000', '--workers', '1'],
    ]) {
      const r = await svirt(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
    }
    const q = await svirtWithStdin(`${GUEST} ${OWN} ${name} read\n${GUEST} ${OWN} file ${name}\n`, 'compute-av');
    expect(q.code).toBe(0);
    expect(q.out.trimEnd().split('\n').map((l) => l.split('\t')[4])).toEqual(['ERR:BADCLASS', 'ERR:BADPERM']);
  });
});

describe('a policy that defines such names means them', () => {
  test('booleans named toString/constructor/valueOf/__proto__ (default false) keep their rules off in the server and the reference', () => {
    const text = simPolicyText();
    const at = text.indexOf('\nuser ');
    const NAMED: Array<[string, string]> = [['toString', 'read'], ['constructor', 'write'], ['valueOf', 'append'], ['__proto__', 'getattr']];
    const decls = NAMED.map(([b, perm]) => `bool ${b} false;\nif (${b}) {\n  allow svirt_t shadow_t:file ${perm};\n}\n`).join('');
    const model = parsePolicyText(`${text.slice(0, at + 1)}${decls}${text.slice(at + 1)}`);
    const ss = createSecurityServer(model);
    const s = ss.contextToSid('system_u:system_r:svirt_t:s0');
    const t = ss.contextToSid('system_u:object_r:shadow_t:s0');
    const file = ss.classValue('file');
    const states = defaultBoolStates(model);
    expect(states.every((b) => b === false)).toBe(true); // a plain `{}[name]` read Object.prototype's function here
    const index = buildSymbolIndex(model);
    const sc = parseContext(model, index, 'system_u:system_r:svirt_t:s0');
    const tc = parseContext(model, index, 'system_u:object_r:shadow_t:s0');
    for (const [b, perm] of NAMED) {
      const mask = ss.permMask(file, [perm]);
      expect(ss.getBoolean(b), b).toBe(false);
      expect(ss.hasPermNoAudit(s, t, file, mask), perm).toBe(false);
      expect(referenceComputeAv(model, sc, tc, file, states, mask).allowed & mask, perm).toBe(0);
    }
    ss.setBoolean('toString', true);
    expect(ss.hasPermNoAudit(s, t, file, ss.permMask(file, ['read']))).toBe(true);
    expect(ss.hasPermNoAudit(s, t, file, ss.permMask(file, ['write']))).toBe(false);
    const json = JSON.parse('{"constructor": true, "__proto__": true}') as Record<string, boolean>;
    const on = createSecurityServer(model, { booleans: json });
    expect([on.getBoolean('constructor'), on.getBoolean('__proto__'), on.getBoolean('toString')]).toEqual([true, true, false]);
    const [os, ot] = [on.contextToSid('system_u:system_r:svirt_t:s0'), on.contextToSid('system_u:object_r:shadow_t:s0')];
    expect(on.hasPermNoAudit(os, ot, file, on.permMask(file, ['getattr']))).toBe(true);
    expect(on.hasPermNoAudit(os, ot, file, on.permMask(file, ['read']))).toBe(false);
    expect(createSecurityServer(model, { booleans: parseBoolAssignments(['__proto__=1']) }).getBoolean('__proto__')).toBe(true);
  });

  test('a constraint operand spelled like a prototype member is a syntax error, not an operand', () => {
    const text = simPolicyText();
    const at = text.indexOf('mlsconstrain');
    expect(at).toBeGreaterThan(0);
    expect(() => parsePolicyText(text)).not.toThrow();
    const withConstraint = (expr: string): string => `${text.slice(0, at)}constrain file { read } ${expr};\n${text.slice(at)}`;
    for (const name of ['constructor', 'toString', '__proto__', 'valueOf']) {
      expect(() => parsePolicyText(withConstraint(`(${name} == u2)`)), name).toThrow(/expected a constraint operand/);
      // on the right a word that is not an operand is a user name (checkpolicy's names form)
      expect(() => parsePolicyText(withConstraint(`(u1 == ${name})`)), name).toThrow(new RegExp(`unknown user '${name}'`));
    }
  });
});

test('unknown class, permission and boolean names are quoted on one line, at most ~80 characters', async () => {
  const hostile = `x\n${'y'.repeat(5000)}\u001b[31m`;
  for (const args of [
    ['check', GUEST, OWN, hostile, 'read'],
    ['check', GUEST, OWN, 'file', hostile],
    ['check', '--bool', `${hostile}=1`, GUEST, OWN, 'file', 'read'],
  ]) {
    const r = await svirt(...args);
    expect(r.code).toBe(2);
    const lines = r.err.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.length).toBeLessThan(200);
    expect(lines[0]).toMatch(/"x\\x0ay+"… \(\d+ more characters\)/);
  }
});

test('guests named like prototype members are ordinary guests: unknown until defined, then each its own label', () => {
  const m = new LabelManager({ store: createMemoryStore(), rng: seededRng(15) });
  for (const name of NAMES) {
    expect(() => m.get(name), name).toThrow(GuestError);
    expect(() => m.start(name), name).toThrow(GuestError);
  }
  for (const name of NAMES) m.define({ name, disks: [{ source: `/var/lib/libvirt/images/${name}.qcow2` }] });
  const labels = NAMES.map((name) => m.start(name).live[0]?.label);
  expect(labels.every((l) => typeof l === 'string')).toBe(true);
  expect(new Set(labels).size).toBe(NAMES.length);
  for (const [i, name] of NAMES.entries()) {
    expect(m.get(name).def.name).toBe(name);
    expect(m.get(name).live[0]?.label).toBe(labels[i]);
  }
  expect(m.list().map((g) => g.def.name).sort()).toEqual([...NAMES].sort());
});

test('setrans: translations named like prototype members map both ways; unknown ones pass through untranslated', () => {
  const t = parseSetrans('s0=SystemLow\ns0:c0.c1023=SystemHigh\ns0:c1=constructor\ns0:c2=__proto__\n');
  expect(t.toRaw('u:r:t:constructor')).toBe('u:r:t:s0:c1');
  expect(t.toRaw('u:r:t:__proto__')).toBe('u:r:t:s0:c2');
  expect(t.toHuman('u:r:t:s0:c2')).toBe('u:r:t:__proto__');
  for (const name of ['toString', 'hasOwnProperty', 'valueOf']) expect(t.toRaw(`u:r:t:${name}`)).toBe(`u:r:t:${name}`);
});
