/**
 * The worked example over the embedded policy (policies/svirt.conf, parsed by src/policy/load.ts):
 * a guest at s0:c1,c2 opening another guest's image at s0:c3,c4 is denied by the MCS constraint,
 * and getattr (not covered by the constraint) survives.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseContext } from '../../src/context/context.js';
import { explainAccess } from '../../src/security/explain.js';
import { defaultBoolStates, referenceComputeAv } from '../../src/security/reference.js';
import { REASON_CONS } from '../../src/types.js';
import { buildSymbolIndex, type PolicyModel } from '../../src/policy/model.js';

const loadUrl = new URL('../../src/policy/load.ts', import.meta.url);
const confPath = fileURLToPath(new URL('../../policies/svirt.conf', import.meta.url));
const available = existsSync(fileURLToPath(loadUrl)) && existsSync(confPath);
if (!available) console.warn('explain-embedded: src/policy/load.ts or policies/svirt.conf is missing; skipping the embedded-policy test');

describe.skipIf(!available)('worked example over the embedded policy', () => {
  it('svirt_t:s0:c1,c2 → svirt_image_t:s0:c3,c4 file { open read getattr }: CONS denies open/read, getattr survives', async () => {
    const { loadEmbeddedPolicy } = (await import(/* @vite-ignore */ loadUrl.href)) as { loadEmbeddedPolicy: () => PolicyModel };
    const model = loadEmbeddedPolicy();
    const index = buildSymbolIndex(model);
    const scon = parseContext(model, index, 'system_u:system_r:svirt_t:s0:c1,c2');
    const tcon = parseContext(model, index, 'system_u:object_r:svirt_image_t:s0:c3,c4');
    const file = index.classes.get('file')!;
    const bit = (p: string) => (1 << file.perms.indexOf(p)) >>> 0;
    const bools = defaultBoolStates(model);

    const d = referenceComputeAv(model, scon, tcon, file.value, bools, bit('open') | bit('read'));
    expect(d.allowed & (bit('open') | bit('read'))).toBe(0);
    expect(d.allowed & bit('getattr')).toBe(bit('getattr'));
    expect(d.reason).toBe(REASON_CONS);

    const e = explainAccess(model, scon, tcon, file.value, bit('open') | bit('read') | bit('getattr'), bools);
    expect(e.allowed).toBe(false);
    expect(e.reasons).toEqual(['CONS']);
    expect(e.lines).toContain('allowed: { getattr }');
    expect(e.lines.some((l) => /^ {2}mlsconstrain file \{.*\} .*h1 dom h2/.test(l))).toBe(true);
    expect(e.lines).toContain('    h1 = s0:c1,c2, h2 = s0:c3,c4: the subject lacks c3,c4');

    // the guest's own image is fine
    const own = parseContext(model, index, 'system_u:object_r:svirt_image_t:s0:c1,c2');
    expect(referenceComputeAv(model, scon, own, file.value, bools, bit('open') | bit('read')).reason).toBe(0);
  });
});
