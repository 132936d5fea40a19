/**
 * The `none` driver (libvirt security_nop.c): every hook exists and does nothing, so a host
 * without a MAC model still runs guests. It "always probes" and must be used alone.
 */
import type { DriverGuest, SecurityDriver } from './driver.js';
import type { GuestDef, LabelledFile, LiveSecLabel } from './guest-types.js';

export class NoneDriver implements SecurityDriver {
  readonly name = 'none';

  getDOI(): string {
    return '0';
  }

  verify(): void {}

  genLabel(_def: GuestDef): LiveSecLabel {
    return { model: 'none', type: 'none', relabel: false };
  }

  reserveLabel(): void {}

  releaseLabel(): void {}

  setAllLabel(): LabelledFile[] {
    return [];
  }

  restoreAllLabel(): void {}

  setImageLabel(): LabelledFile[] {
    return [];
  }

  restoreImageLabel(): void {}

  setProcessLabel(_guest: DriverGuest): string | undefined {
    return undefined;
  }
}
