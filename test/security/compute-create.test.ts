/**
 * New-object labels on a small policy: one test per rule of security_compute_sid and
 * mls_compute_sid, the kernel's socket case, booleans, validity when enforcing / permissive,
 * validatetrans with the task operand, and the fail-closed errors.
 */
import { describe, expect, it } from 'vitest';
import { compilePolicyText } from '../../src/policy/compiler.js';
import { createSecurityServer, type WasmSecurityServer } from '../../src/security/server.js';
import type { NewLabelKind } from '../../src/security/compute-sid.js';
import { glblub } from '../../src/security/compute-sid.js';
import { parseRange } from '../../src/context/context.js';
import { buildSymbolIndex } from '../../src/policy/model.js';
import { SvirtError } from '../../src/errors.js';
import { LABEL_POLICY } from './compute-fixture.js';

const model = compilePolicyText(LABEL_POLICY, 'labels.conf');

function server(options: { enforcing?: boolean; booleans?: Record<string, boolean> } = {}): WasmSecurityServer {
  return createSecurityServer(model, options);
}

function compute(s: WasmSecurityServer, kind: NewLabelKind, scon: string, tcon: string, tclass: string, name?: string, flavour?: 'kernel' | 'libsepol'): string {
  const a = s.computeNewLabel(kind, s.contextToSid(scon), s.contextToSid(tcon), s.classValue(tclass), name, flavour);
  return a.status === 'ok' ? a.context! : `${a.status}${a.granted ? '+granted' : ''}:${a.context ?? a.reason ?? ''}`;
}

const PROC = 'system_u:system_r:proc_t:s0-s1:c0.c3';

describe('compute_create', () => {
  it('type_transition on a file: source user, object_r, the rule type, the source low level', () => {
    expect(compute(server(), 'create', PROC, 'system_u:object_r:tmp_t:s1:c2', 'file')).toBe('system_u:object_r:tmp_child_t:s0');
  });

  it('no rule: a file takes the target type', () => {
    expect(compute(server(), 'create', 'system_u:system_r:proc_t:s0:c1-s1:c1', 'system_u:object_r:etc_t:s0', 'file')).toBe('system_u:object_r:etc_t:s0:c1');
  });

  it('process: keeps the role, takes the rule type and the range_transition range', () => {
    expect(compute(server(), 'create', PROC, 'system_u:object_r:exec_t:s0', 'process')).toBe('system_u:system_r:child_t:s1');
  });

  it('process without a rule keeps type and full range', () => {
    expect(compute(server(), 'create', PROC, 'system_u:object_r:etc_t:s0', 'process')).toBe(PROC);
  });

  it('the file-name form applies to that exact name only', () => {
    const s = server();
    expect(compute(s, 'create', PROC, 'system_u:object_r:etc_t:s0', 'file', 'resolv.conf')).toBe('system_u:object_r:named_t:s0');
    expect(compute(s, 'create', PROC, 'system_u:object_r:etc_t:s0', 'file', 'resolv.conf~')).toBe('system_u:object_r:etc_t:s0');
    expect(compute(s, 'create', PROC, 'system_u:object_r:etc_t:s0', 'file')).toBe('system_u:object_r:etc_t:s0');
  });

  it('conditional type_transition follows its boolean, also after setBoolean', () => {
    const s = server();
    expect(compute(s, 'create', PROC, 'system_u:object_r:etc_t:s0', 'dir')).toBe('system_u:object_r:etc_t:s0');
    s.setBoolean('flag', true);
    expect(compute(s, 'create', PROC, 'system_u:object_r:etc_t:s0', 'dir')).toBe('system_u:object_r:cond_t:s0');
    expect(compute(server({ booleans: { flag: true } }), 'create', PROC, 'system_u:object_r:etc_t:s0', 'dir')).toBe('system_u:object_r:cond_t:s0');
  });

  it('kernel socket classes take the creator role, type and full range; libsepol does not', () => {
    const s = server();
    const scon = 'system_u:system_r:proc_t:s0-s0:c0,c1';
    expect(compute(s, 'create', scon, 'system_u:object_r:tmp_t:s0', 'unix_stream_socket')).toBe(scon);
    expect(compute(s, 'create', scon, 'system_u:object_r:tmp_t:s0', 'unix_stream_socket', undefined, 'libsepol')).toBe('system_u:object_r:tmp_t:s0');
    // a policy class the kernel has no class for is not a socket
    expect(compute(s, 'create', scon, 'system_u:object_r:tmp_t:s0', 'obsolete_netlink_firewall_socket')).toBe('system_u:object_r:tmp_t:s0');
  });

  it('role_transition changes the role; an invalid result is refused when enforcing, handed out when permissive', () => {
    const scon = 'user_u:user_r:proc_t:s0';
    const enforcing = server();
    const a = enforcing.computeNewLabel('create', enforcing.contextToSid(scon), enforcing.contextToSid('system_u:object_r:exec_t:s0'), enforcing.classValue('process'));
    expect(a).toMatchObject({ status: 'invalid', granted: false, context: 'user_u:system_r:child_t:s1' });
    expect(a.sid).toBeUndefined();
    const permissive = server({ enforcing: false });
    expect(compute(permissive, 'create', scon, 'system_u:object_r:exec_t:s0', 'process')).toBe('invalid+granted:user_u:system_r:child_t:s1');
    // system_u may hold system_r: valid
    expect(compute(enforcing, 'create', 'system_u:user_r:proc_t:s0', 'system_u:object_r:exec_t:s0', 'process')).toBe('system_u:system_r:child_t:s1');
  });

  it('default_range glblub: intersection of the ranges, an error when they share no sensitivity', () => {
    const s = server();
    expect(compute(s, 'create', 'system_u:system_r:proc_t:s0:c0,c1-s1:c0.c3', 'system_u:object_r:tty_t:s0:c1,c2-s1:c1,c2', 'chr_file')).toBe('system_u:object_r:tty_t:s0:c1-s1:c1,c2');
    expect(compute(s, 'create', 'system_u:system_r:proc_t:s1', 'system_u:object_r:tty_t:s0', 'chr_file')).toMatch(/^error:/);
  });
});

describe('compute_member and compute_relabel', () => {
  it('type_member: the target user, the rule type, the source low level', () => {
    expect(compute(server(), 'member', 'user_u:user_r:proc_t:s0-s0:c0.c1', 'system_u:object_r:tmp_t:s0', 'dir')).toBe('system_u:object_r:dir_member_t:s0');
  });

  it('type_change: the source user, object_r, the rule type, the low level; no role or range transition', () => {
    const s = server();
    expect(compute(s, 'relabel', 'user_u:user_r:proc_t:s0-s0:c0.c1', 'system_u:object_r:tty_t:s0', 'chr_file')).toBe('user_u:object_r:user_tty_t:s0');
    // relabel of a process: the full source range, no range_transition, no role_transition
    expect(compute(s, 'relabel', 'system_u:user_r:proc_t:s0', 'system_u:object_r:exec_t:s0', 'process')).toBe('system_u:user_r:proc_t:s0');
    // member does not use type_transition rules
    expect(compute(s, 'member', PROC, 'system_u:object_r:tmp_t:s0', 'file')).toBe('system_u:object_r:tmp_t:s0');
  });
});

describe('validatetrans', () => {
  const vt = (s: WasmSecurityServer, o: string, n: string, t: string, c: string): boolean =>
    s.validateTransition(s.contextToSid(o), s.contextToSid(n), s.contextToSid(t), s.classValue(c));

  it('mlsvalidatetrans with l1/l2 and the task type t3', () => {
    const s = server();
    expect(vt(s, 'system_u:object_r:tmp_t:s0', 'system_u:object_r:tmp_t:s0:c1', PROC, 'file')).toBe(false);
    expect(vt(s, 'system_u:object_r:tmp_t:s0', 'system_u:object_r:tmp_t:s0:c1', 'system_u:system_r:admin_t:s0', 'file')).toBe(true);
    expect(vt(s, 'system_u:object_r:tmp_t:s0', 'system_u:object_r:etc_t:s0', PROC, 'file')).toBe(true);
    // no constraint on dir
    expect(vt(s, 'system_u:object_r:tmp_t:s0', 'system_u:object_r:tmp_t:s0:c1', PROC, 'dir')).toBe(true);
  });

  it('denies whatever the enforcing mode (security_validate_transition_user)', () => {
    expect(vt(server({ enforcing: false }), 'system_u:object_r:tmp_t:s0', 'system_u:object_r:tmp_t:s0:c1', PROC, 'file')).toBe(false);
  });
});

describe('fail closed', () => {
  it('unknown SIDs and classes throw typed errors, never a default label', () => {
    const s = server();
    const sid = s.contextToSid(PROC);
    for (const bad of [0, 9999, -1, 1.5, Number.NaN]) {
      expect(() => s.computeNewLabel('create', bad, sid, 1)).toThrow(SvirtError);
      expect(() => s.computeNewLabel('create', sid, bad, 1)).toThrow(SvirtError);
      expect(() => s.computeNewLabel('create', sid, sid, bad)).toThrow(SvirtError);
      expect(() => s.validateTransition(sid, sid, bad, 1)).toThrow(SvirtError);
    }
  });

  it('glblub matches the kernel on sensitivity bounds', () => {
    const idx = buildSymbolIndex(model);
    const r = (t: string) => parseRange(model, idx, t);
    expect(glblub(r('s0-s1'), r('s1'))).toEqual(r('s1'));
    expect(glblub(r('s0'), r('s1'))).toBeUndefined();
  });
});
