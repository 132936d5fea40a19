/**
 * The simulated host's filesystem keys objects by canonical path: every spelling of a path finds
 * the same object, symbolic links of the filesystem are followed (kernel order), relative paths
 * and link loops are refused with one-line errors.
 */
import { describe, expect, it } from 'vitest';
import { HostFs } from '../../src/host/objects.js';

function fs(): HostFs {
  let ino = 100;
  const f = new HostFs(() => ino++);
  const dir = (): string => 'system_u:object_r:var_t:s0';
  f.add('/', 'dir', 'system_u:object_r:root_t:s0');
  f.add('/var/lib/libvirt/images/shared.img', 'file', 'system_u:object_r:virt_image_t:s0', dir);
  return f;
}

describe('HostFs paths', () => {
  it('every spelling finds the one object', () => {
    const f = fs();
    const obj = f.get('/var/lib/libvirt/images/shared.img')!;
    for (const p of ['//var/lib/libvirt/images/shared.img', '/var/lib/libvirt/images/./shared.img', '/var/lib/libvirt/x/../images/shared.img', '/var/lib/libvirt/images/shared.img/']) {
      expect(f.get(p), p).toBe(obj);
    }
    expect(f.add('/var/lib/libvirt/images/./shared.img', 'file', 'ignored')).toBe(obj);
    expect(() => f.get('var/lib')).toThrow(/^path "var\/lib": must be an absolute path/);
  });

  it('follows its symbolic links, and refuses a loop', () => {
    const f = fs();
    const obj = f.get('/var/lib/libvirt/images/shared.img')!;
    f.add('/srv', 'dir', 'system_u:object_r:var_t:s0');
    f.add('/srv/images', 'lnk_file', 'system_u:object_r:var_t:s0', undefined, '/var/lib/libvirt/images');
    f.add('/srv/alias.img', 'lnk_file', 'system_u:object_r:var_t:s0', undefined, 'images/shared.img');
    expect(f.get('/srv/images/shared.img')).toBe(obj);
    expect(f.get('/srv/alias.img')).toBe(obj);
    expect(f.resolve('/srv/images/..')).toBe('/var/lib/libvirt');
    f.add('/srv/a', 'lnk_file', 'system_u:object_r:var_t:s0', undefined, '/srv/b');
    f.add('/srv/b', 'lnk_file', 'system_u:object_r:var_t:s0', undefined, '/srv/a');
    expect(() => f.get('/srv/a')).toThrow(/too many levels of symbolic links/);
  });
});
