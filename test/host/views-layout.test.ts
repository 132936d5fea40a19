import { describe, expect, it } from 'vitest';
import { PS_EZ_COLUMNS, formatCpuTime, formatLsZ, layoutPsRow } from '../../src/host/views.js';
import type { HostObject } from '../../src/host/objects.js';

describe('ps -eZ layout (procps-ng show_one_proc)', () => {
  it('header and a short label line up in fixed columns', () => {
    expect(layoutPsRow(['LABEL', 'PID', 'TTY', 'TIME', 'CMD'], PS_EZ_COLUMNS)).toBe('LABEL                               PID TTY          TIME CMD');
    expect(layoutPsRow(['system_u:system_r:init_t:s0', '1', '?', '00:00:03', 'systemd'], PS_EZ_COLUMNS)).toBe(
      'system_u:system_r:init_t:s0           1 ?        00:00:03 systemd',
    );
  });

  it('an overlong label pushes the row right and later padding absorbs it (as on a real host)', () => {
    expect(layoutPsRow(['unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023', '2153', 'pts/0', '00:00:00', 'bash'], PS_EZ_COLUMNS)).toBe(
      'unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023 2153 pts/0 00:00:00 bash',
    );
    // 33 characters: two over; PID's padding takes it back
    expect(layoutPsRow(['system_u:system_r:svirt_t:s0:c1,c2', '4242', '?', '00:00:00', 'qemu-kvm'], PS_EZ_COLUMNS)).toBe(
      'system_u:system_r:svirt_t:s0:c1,c2 4242 ?        00:00:00 qemu-kvm',
    );
  });

  it('TIME is [DD-]HH:MM:SS', () => {
    expect(formatCpuTime(0)).toBe('00:00:00');
    expect(formatCpuTime(3725)).toBe('01:02:05');
    expect(formatCpuTime(90061)).toBe('1-01:01:01');
  });
});

describe('ls -Z layout (coreutils)', () => {
  const obj = (label: string): HostObject => ({ path: '/x', tclass: 'file', dev: 'dm-0', ino: 1, label });
  it('contexts are right-aligned to the widest in the listing', () => {
    expect(
      formatLsZ([
        { name: 'a.img', object: obj('system_u:object_r:svirt_image_t:s0:c1,c2') },
        { name: 'b.img', object: obj('system_u:object_r:virt_image_t:s0') },
      ]),
    ).toEqual(['system_u:object_r:svirt_image_t:s0:c1,c2 a.img', '       system_u:object_r:virt_image_t:s0 b.img']);
  });
});
