// The README's library example must keep working exactly as documented.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('examples/library.ts (README "Library API")', () => {
  it('prints the documented decisions and one kernel-format denial', () => {
    const out = execFileSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'examples', 'library.ts')], { encoding: 'utf8' });
    const lines = out.split('\n');
    expect(lines).toContain('own image: true');
    expect(lines).toContain('other image: false');
    expect(lines).toContain('batch: 1 0 1 0');
    expect(lines).toContain(
      'avc:  denied  { read open } for  pid=4242 comm="qemu-kvm" path="/var/lib/libvirt/images/b.img" ' +
        'scontext=system_u:system_r:svirt_t:s0:c1,c2 tcontext=system_u:object_r:svirt_image_t:s0:c3,c4 tclass=file permissive=0',
    );
    expect(lines.filter((l) => l.startsWith('avc:'))).toHaveLength(1);
  });
});
