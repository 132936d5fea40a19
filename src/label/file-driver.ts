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

  /**
   * Label one disk's files. `labelled` answers what this guest already labelled (during
   * setAllLabel): a file labelled before with the same label is skipped, with another label refused.
   */
  abstract setImageLabel(guest: DriverGuest, disk: DiskDef, ctx: DriverContext, labelled?: (path: string) => LabelledFile | undefined): LabelledFile[];

  /**
   * the label a file returns to when no original was remembered for it: the policy default, or
   * undefined when the policy has none (the file keeps its label)
   */
  protected defaultFileLabel(ctx: DriverContext, path: string): string | undefined {
    return ctx.defaultLabel(path, this.name);
  }

  /**
   * Label every disk. A file several disks share (one backing file under two overlays; allowed
   * only for read-only or shareable uses, disk-locks.ts) is labelled and recorded once; two
   * different labels for one file of one guest are refused.
   */
  setAllLabel(guest: DriverGuest, ctx: DriverContext): LabelledFile[] {
    const byPath = new Map<string, LabelledFile>();
    for (const disk of guest.def.disks) {
      const planned = this.setImageLabel(guest, disk, ctx, (path) => byPath.get(path));
      for (const f of planned) if (!byPath.has(f.path)) byPath.set(f.path, f);
    }
    return [...byPath.values()];
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
