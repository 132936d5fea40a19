import { describe, expect, it } from 'vitest';
import { auditUntrustedString, formatAvcRecord } from '../../src/security/audit.js';

const S = 'system_u:system_r:svirt_t:s0:c1,c2';
const T = 'system_u:object_r:svirt_image_t:s0:c3,c4';

describe('formatAvcRecord: kernel text', () => {
  it('denied record with path data (the worked example)', () => {
    expect(
      formatAvcRecord({
        denied: true,
        perms: ['read', 'write'],
        data: { pid: 4242, comm: 'qemu-kvm', path: '/var/lib/libvirt/images/b.img', dev: 'dm-0', ino: 131 },
        scontext: S,
        tcontext: T,
        tclass: 'file',
        permissive: false,
      }),
    ).toBe(
      'avc:  denied  { read write } for  pid=4242 comm="qemu-kvm" path="/var/lib/libvirt/images/b.img" dev="dm-0" ino=131 scontext=system_u:system_r:svirt_t:s0:c1,c2 tcontext=system_u:object_r:svirt_image_t:s0:c3,c4 tclass=file permissive=0',
    );
  });

  it('permissive=1 for a denial that was allowed anyway', () => {
    expect(formatAvcRecord({ denied: true, perms: ['open'], data: { pid: 1, comm: 'x' }, scontext: S, tcontext: T, tclass: 'file', permissive: true })).toBe(
      `avc:  denied  { open } for  pid=1 comm="x" scontext=${S} tcontext=${T} tclass=file permissive=1`,
    );
  });

  it('granted records (auditallow) have no permissive field', () => {
    expect(formatAvcRecord({ denied: false, perms: ['getattr'], data: { pid: 7, comm: 'virtqemud', name: 'b.img', dev: 'dm-0', ino: 9 }, scontext: S, tcontext: T, tclass: 'file', permissive: true })).toBe(
      `avc:  granted  { getattr } for  pid=7 comm="virtqemud" name="b.img" dev="dm-0" ino=9 scontext=${S} tcontext=${T} tclass=file`,
    );
  });

  it('a zero mask prints " null" and no "} for"', () => {
    expect(formatAvcRecord({ denied: true, perms: [], data: { pid: 2, comm: 'a' }, scontext: S, tcontext: T, tclass: 'file', permissive: false })).toBe(
      `avc:  denied  null pid=2 comm="a" scontext=${S} tcontext=${T} tclass=file permissive=0`,
    );
  });

  it('unnamed bits are passed through as given', () => {
    expect(formatAvcRecord({ denied: true, perms: ['read', '0x80000000'], scontext: S, tcontext: T, tclass: 'file', permissive: false })).toBe(
      `avc:  denied  { read 0x80000000 } for  scontext=${S} tcontext=${T} tclass=file permissive=0`,
    );
  });
});

describe('untrusted strings (K audit_log_n_untrustedstring)', () => {
  it.each([
    ['qemu-kvm', '"qemu-kvm"'],
    ['', '""'],
    ['~!#$', '"~!#$"'],
    ['a b', '612062'],
    ['say"hi', '736179226869'],
    ['tab\t', '74616209'],
    ['\x7f', '7F'],
    ['é', 'C3A9'],
    ['/var/lib/my disk.img', '2F7661722F6C69622F6D79206469736B2E696D67'],
  ])('%j → %s', (input, expected) => {
    expect(auditUntrustedString(input)).toBe(expected);
  });

  it('applies to comm, path, name and dev', () => {
    const text = formatAvcRecord({ denied: true, perms: ['read'], data: { pid: 3, comm: 'q k', path: '/a b', name: 'n"', dev: 'd\n', ino: 1 }, scontext: S, tcontext: T, tclass: 'file', permissive: false });
    expect(text).toBe(`avc:  denied  { read } for  pid=3 comm=71206B path=2F612062 name=6E22 dev=640A ino=1 scontext=${S} tcontext=${T} tclass=file permissive=0`);
  });
});
