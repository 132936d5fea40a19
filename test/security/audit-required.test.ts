import { describe, expect, it } from 'vitest';
import { AVD_FLAGS_NEVERAUDIT, auditRequired } from '../../src/security/audit.js';
import type { AccessDecision } from '../../src/types.js';

const avd = (over: Partial<AccessDecision> = {}): AccessDecision => ({ allowed: 0b0011, auditallow: 0, auditdeny: 0xffffffff, seqno: 1, flags: 0, ...over });

describe('auditRequired (K avc_audit_required)', () => {
  it('a denial audits the denied bits that auditdeny keeps', () => {
    expect(auditRequired(avd(), 0b0111, 'denied')).toEqual({ audited: 0b0100, denied: true });
    expect(auditRequired(avd({ auditdeny: ~0b0100 >>> 0 }), 0b1100, 'denied')).toEqual({ audited: 0b1000, denied: true });
  });

  it('dontaudit of every denied bit writes nothing', () => {
    expect(auditRequired(avd({ auditdeny: ~0b1100 >>> 0 }), 0b1100, 'denied')).toBeUndefined();
  });

  it('a permissive grant of a denied request is still a denial record', () => {
    expect(auditRequired(avd(), 0b0100, 'granted')).toEqual({ audited: 0b0100, denied: true });
  });

  it('a granted request audits only auditallow bits, and nothing without them', () => {
    expect(auditRequired(avd({ auditallow: 0b0010 }), 0b0011, 'granted')).toEqual({ audited: 0b0010, denied: false });
    expect(auditRequired(avd(), 0b0011, 'granted')).toBeUndefined();
  });

  it('a failed check whose bits are all allowed audits the whole request as denied', () => {
    expect(auditRequired(avd(), 0b0001, 'denied')).toEqual({ audited: 0b0001, denied: true });
  });

  it('NEVERAUDIT suppresses everything; bit 31 is handled unsigned', () => {
    expect(auditRequired(avd({ flags: AVD_FLAGS_NEVERAUDIT }), 0b0100, 'denied')).toBeUndefined();
    expect(auditRequired(avd(), 0x80000000, 'denied')).toEqual({ audited: 0x80000000, denied: true });
  });
});
