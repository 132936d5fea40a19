/**
 * The SMACK driver: sVirt's isolation model over SMACK labels (docs/libvirt-labels.md). Upstream
 * libvirt has no SMACK driver; this follows the design the original sVirt RFC anticipated:
 *
 * - dynamic: each guest gets its own label `svirt-<uuid>` (41 characters, valid SMACK label; unique
 *   because uuids are), set on the QEMU process (attr/current / SMACK64EXEC) and on its private
 *   writable images (SMACK64). Same label ⇒ access without any rule (smk_access rule "same label");
 *   different guests' labels have no rule between them ⇒ denied. Nothing to allocate.
 * - static: `<label>` is the guest's SMACK label as given (validated).  none: nothing is labelled.
 * - files (`planDiskLabels`): the writable top image gets the guest label and its
 *   original label is remembered (refcounted) and restored at stop; read-only disks and backing
 *   layers get `_` (floor: every subject may read, execute and lock); shareable disks get `*` (star
 *   object: every subject may access it) — SMACK's analogues of `virt_content_t:s0` and
 *   `svirt_image_t:s0`. Those are never restored (other guests may use them).
 * - unknown files: label `_` (the kernel's default for an unlabelled filesystem), which is also what
 *   a file nothing was remembered for returns to (`policyDefaultLabel`).
 */
import { guestError, quoteInput } from '../errors.js';
import { SMACK_FLOOR, SMACK_STAR, smackLabelProblem } from '../smack/label.js';
import type { DriverContext, DriverGuest } from './driver.js';
import { FileLabelDriver } from './file-driver.js';
import type { DiskDef, GuestDef, LabelledFile, LiveSecLabel, SecLabelDef } from './guest-types.js';
import { notYetLabelled, planDiskLabels, setFileLabel, type AlreadyLabelled } from './relabel.js';

const MODEL = 'smack';

/** A guest's dynamic SMACK label. */
export function smackGuestLabel(def: GuestDef): string {
  return `svirt-${def.uuid}`;
}

function checkLabel(label: string, what: string, guest: string): string {
  const problem = smackLabelProblem(label);
  if (problem !== undefined) throw guestError('bad-seclabel', guest, `${what}: invalid SMACK label ${quoteInput(label)} at offset ${problem.offset}: ${problem.reason}`);
  return label;
}

export class SmackDriver extends FileLabelDriver {
  readonly name = MODEL;

  getDOI(): string {
    return '0';
  }

  verify(def: GuestDef, sec: SecLabelDef): void {
    if (sec.type === 'static') checkLabel(sec.label ?? '', `static SMACK label of guest ${quoteInput(def.name)}`, def.name);
    if (sec.baseLabel !== undefined) throw guestError('bad-seclabel', def.name, `guest ${quoteInput(def.name)}: the SMACK driver has no base label`);
    for (const d of def.disks) {
      for (const layer of [d, ...d.backingChain]) {
        for (const s of layer.seclabels) if (s.model === MODEL && s.label !== undefined) checkLabel(s.label, `disk label of guest ${quoteInput(def.name)}`, def.name);
      }
    }
  }

  genLabel(def: GuestDef, sec: SecLabelDef): LiveSecLabel {
    switch (sec.type) {
      case 'dynamic': {
        const label = smackGuestLabel(def);
        return { model: MODEL, type: 'dynamic', relabel: true, label, imageLabel: label };
      }
      case 'static': {
        const label = checkLabel(sec.label ?? '', `static SMACK label of guest ${quoteInput(def.name)}`, def.name);
        return { model: MODEL, type: 'static', relabel: sec.relabel, label, ...(sec.relabel ? { imageLabel: label } : {}) };
      }
      case 'none':
        return { model: MODEL, type: 'none', relabel: false };
      default:
        throw guestError('bad-seclabel', def.name, `unresolved seclabel type ${quoteInput(String(sec.type))}`);
    }
  }

  reserveLabel(): void {
    // labels derive from uuids: nothing to reserve
  }

  releaseLabel(): void {
    // nothing was allocated
  }

  setImageLabel(guest: DriverGuest, disk: DiskDef, ctx: DriverContext, labelled?: AlreadyLabelled): LabelledFile[] {
    const image = guest.live.imageLabel;
    if (!guest.live.relabel || image === undefined) return [];
    const plans = planDiskLabels(disk, MODEL, { image, shared: SMACK_STAR, content: SMACK_FLOOR });
    return notYetLabelled(guest.def.name, MODEL, plans, labelled).map((plan) =>
      setFileLabel(guest.def.name, ctx.store, ctx.files, MODEL, plan),
    );
  }

  /** every path's default SMACK label: the floor `_` */
  policyDefaultLabel(): string {
    return SMACK_FLOOR;
  }
}
