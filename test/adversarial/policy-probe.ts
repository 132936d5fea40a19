/**
 * Wrong-allow probe for policies that should have been refused: a fixed set of accesses the full
 * embedded policy denies (by its MCS, identity and UBAC constraints); any of them allowed by a
 * damaged policy that loaded anyway is a wrong allow.
 */
import { SvirtError } from '../../src/errors.js';
import type { PolicyModel } from '../../src/policy/model.js';
import { createSecurityServer } from '../../src/security/server.js';

export interface Probe {
  readonly scontext: string;
  readonly tcontext: string;
  readonly tclass: string;
  readonly perms: readonly string[];
}

/** Denied by policies/svirt.conf (asserted in policy-refusal.test.ts against the full policy). */
export const DENIED_BY_FULL_POLICY: readonly Probe[] = [
  // MCS: a guest reads and writes another guest's image (mlsconstrain file)
  { scontext: 'system_u:system_r:svirt_t:s0:c1,c2', tcontext: 'system_u:object_r:svirt_image_t:s0:c3,c4', tclass: 'file', perms: ['read'] },
  { scontext: 'system_u:system_r:svirt_t:s0:c1,c2', tcontext: 'system_u:object_r:svirt_image_t:s0:c3,c4', tclass: 'file', perms: ['write'] },
  // MCS: a guest signals another guest's process
  { scontext: 'system_u:system_r:svirt_t:s0:c1,c2', tcontext: 'system_u:system_r:svirt_t:s0:c3,c4', tclass: 'process', perms: ['signal'] },
];

/** The probes `model` allows (contexts or classes it does not know are not allows). */
export function probeAllows(model: PolicyModel, probes: readonly Probe[] = DENIED_BY_FULL_POLICY): Probe[] {
  const server = createSecurityServer(model);
  const allowed: Probe[] = [];
  for (const p of probes) {
    try {
      const tclass = server.classValue(p.tclass);
      const mask = server.permMask(tclass, p.perms);
      if (server.hasPermNoAudit(server.contextToSid(p.scontext), server.contextToSid(p.tcontext), tclass, mask)) allowed.push(p);
    } catch (err) {
      if (!(err instanceof SvirtError)) throw err;
    }
  }
  return allowed;
}
