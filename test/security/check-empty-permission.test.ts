/**
 * `svirt check SCON TCON CLASS PERM...` with an empty permission (`''`, `read,`, `,`): a usage error
 * (exit 2, one line), never "allowed" — an empty request asks for nothing. Unknown names exit 2 too.
 */
import { describe, expect, test } from 'vitest';
import { svirt } from '../support/cli.js';

const GUEST = 'system_u:system_r:svirt_t:s0:c1,c2';
const OWN = 'system_u:object_r:svirt_image_t:s0:c1,c2';
const OTHER = 'system_u:object_r:svirt_image_t:s0:c3,c4';

describe('svirt check permission arguments', () => {
  test.each([[''], ['read,'], [','], [',read'], ['read', ''], ['read,,open']])('%j … is a usage error, exit 2', async (...perms) => {
    for (const target of [OWN, OTHER]) {
      const r = await svirt('check', GUEST, target, 'file', ...perms);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/^svirt: check: empty permission name in "/);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  test('well-formed permissions still decide: allowed 0, denied 1, unknown 2', async () => {
    expect((await svirt('check', GUEST, OWN, 'file', 'read,open')).code).toBe(0);
    expect((await svirt('check', GUEST, OWN, 'file', 'read', 'open')).code).toBe(0);
    expect((await svirt('check', GUEST, OTHER, 'file', 'read')).code).toBe(1);
    expect((await svirt('check', GUEST, OWN, 'file', 'read', 'nosuchperm')).code).toBe(2);
  });
});
