/**
 * What the three labelling drivers (selinux, dac, smack) share, as libvirt's drivers do: every
 * disk is labelled through `setImageLabel`; a stop restores through the remembered originals
 * (relabel.ts `restoreFileLabels`, only when the guest was relabelled); the process runs with the
 * live label. A driver supplies its model name, its per-disk labelling and, if its model needs
 * one, its own fallback for a path no rule knows (`defaultFileLabel`).
 */
import type { DriverContext, DriverGuest, SecurityDriver } from './driver.js';
import type { DiskDef, LabelledFile } from './guest-types.js';
import { restoreFileLabels } from './relabel.js';

export abstract class FileLabelDriver implements SecurityDriver {
  abstract readonly name: string;

  abstract setImageLabel(guest: DriverGuest, disk: DiskDef, ctx: DriverContext): LabelledFile[];

  /** the label a file returns to when no original was remembered for it: the policy default */
  protected defaultFileLabel(ctx: DriverContext, path: string): string {
    return ctx.defaultLabel(path, this.name);
  }

  setAllLabel(guest: DriverGuest, ctx: DriverContext): LabelledFile[] {
    return guest.def.disks.flatMap((disk) => this.setImageLabel(guest, disk, ctx));
  }

  restoreAllLabel(guest: DriverGuest, ctx: DriverContext): void {
    this.restoreImageLabel(guest, guest.files, ctx);
  }

  restoreImageLabel(guest: DriverGuest, files: readonly LabelledFile[], ctx: DriverContext): void {
    if (!guest.live.relabel) return;
    restoreFileLabels(ctx.store, ctx.files, files, (path) => this.defaultFileLabel(ctx, path));
  }

  setProcessLabel(guest: DriverGuest): string | undefined {
    return guest.live.label;
  }
}
