/**
 * The DAC driver: uid:gid ownership as a label (libvirt security_dac.c, docs/libvirt-labels.md).
 *
 * - dynamic label = `+<uid>:+<gid>` from the configured user/group (libvirt's qemu.conf; default
 *   qemu 107:107); static needs `<label>` `user:group` (names, or `+N` for a numeric id);
 *   none labels nothing. The image label equals the process label.
 * - Nothing to allocate: reserve/release are no-ops.
 * - Files: every disk layer libvirt would touch is chowned to the guest's owner (DAC gives shared,
 *   read-only and backing files the same owner); the original owner of the writable top image is
 *   remembered (refcounted, XATTR trusted.libvirt.security.dac semantics) and restored at stop;
 *   read-only, shared and backing files are not restored ("as they may be shared", qemu.conf
 *   dynamic_ownership). Unknown files default to `+0:+0` (root).
 */
import { guestError, quoteInput } from '../errors.js';
import type { DriverContext, DriverGuest } from './driver.js';
import { FileLabelDriver } from './file-driver.js';
import type { DiskDef, GuestDef, LabelledFile, LiveSecLabel, SecLabelDef } from './guest-types.js';
import { notYetLabelled, planDiskLabels, setFileLabel, type AlreadyLabelled } from './relabel.js';

export interface DacDriverOptions {
  /** numeric uid of the guest process (default 107, Debian/Fedora `qemu`) */
  uid?: number;
  /** numeric gid (default 107) */
  gid?: number;
}

const MODEL = 'dac';
const PART_RE = /^(\+\d{1,10}|[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?)$/;

/** Check `owner:group` (names or `+N` ids, libvirt's DAC label syntax); returns it unchanged. */
export function checkDacLabel(label: string, what: string): string {
  const parts = label.split(':');
  if (parts.length !== 2 || !parts.every((p) => PART_RE.test(p))) {
    throw guestError('bad-seclabel', '', `${what}: invalid DAC label ${quoteInput(label)} (expected user:group, names or +uid:+gid)`);
  }
  for (const p of parts) {
    if (p.startsWith('+') && Number(p.slice(1)) > 0xfffffffe) throw guestError('bad-seclabel', '', `${what}: id out of range in ${quoteInput(label)}`);
  }
  return label;
}

export class DacDriver extends FileLabelDriver {
  readonly name = MODEL;
  readonly label: string;

  constructor(options: DacDriverOptions = {}) {
    super();
    const uid = options.uid ?? 107;
    const gid = options.gid ?? 107;
    this.label = checkDacLabel(`+${uid}:+${gid}`, 'DAC driver configuration');
  }

  /** libvirt virSecurityDACRestoreFileLabel: a file nothing was remembered for goes back to root */
  policyDefaultLabel(): string {
    return '+0:+0';
  }

  getDOI(): string {
    return '0';
  }

  verify(def: GuestDef, sec: SecLabelDef): void {
    if (sec.type === 'static') checkDacLabel(sec.label!, `static DAC label of guest ${quoteInput(def.name)}`);
    if (sec.baseLabel !== undefined) throw guestError('bad-seclabel', def.name, `guest ${quoteInput(def.name)}: the DAC driver has no base label`);
    for (const d of def.disks) {
      for (const layer of [d, ...d.backingChain]) {
        for (const s of layer.seclabels) if (s.model === MODEL && s.label !== undefined) checkDacLabel(s.label, `disk label of guest ${quoteInput(def.name)}`);
      }
    }
  }

  genLabel(def: GuestDef, sec: SecLabelDef): LiveSecLabel {
    switch (sec.type) {
      case 'dynamic':
        return { model: MODEL, type: 'dynamic', relabel: true, label: this.label, imageLabel: this.label };
      case 'static': {
        const label = checkDacLabel(sec.label!, `static DAC label of guest ${quoteInput(def.name)}`);
        return { model: MODEL, type: 'static', relabel: sec.relabel, label, ...(sec.relabel ? { imageLabel: label } : {}) };
      }
      case 'none':
        return { model: MODEL, type: 'none', relabel: false };
      default:
        throw guestError('bad-seclabel', def.name, `unresolved seclabel type ${quoteInput(sec.type)}`);
    }
  }

  reserveLabel(): void {
    // nothing to allocate
  }

  releaseLabel(): void {
    // nothing to allocate
  }

  setImageLabel(guest: DriverGuest, disk: DiskDef, ctx: DriverContext, labelled?: AlreadyLabelled): LabelledFile[] {
    const owner = guest.live.imageLabel;
    if (!guest.live.relabel || owner === undefined) return [];
    const plans = planDiskLabels(disk, MODEL, { image: owner, shared: owner, content: owner });
    return notYetLabelled(guest.def.name, MODEL, plans, labelled).map((plan) =>
      setFileLabel(guest.def.name, ctx.store, ctx.files, MODEL, plan),
    );
  }
}
