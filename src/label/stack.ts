/**
 * The driver stack (libvirt security_stack.c, docs/libvirt-labels.md): an ordered list of drivers,
 * the first being the PRIMARY.
 *
 * Dispatch rules:
 * - primary only: the model, DOI and base label the host reports;
 * - label generation: the primary's seclabel is generated first, then each secondary's (libvirt's
 *   manager-level GenLabel iterates every nested driver); only the primary owns a shared allocator
 *   (the SELinux MCS table) in the stacks the manager builds (selinux[+dac], dac, none, smack…);
 *   a failure releases the labels already generated, in reverse order;
 * - set (setAllLabel): every driver in order; when driver i fails, drivers i-1..0 restore what they
 *   set, in reverse order, then the first error is rethrown (RHBZ 1740024: a DAC chown must not
 *   survive an SELinux failure);
 * - restore / release / process label: every driver, errors collected, the first rethrown after all
 *   ran (restore must not stop half-way).
 * A lifecycle hook a driver lacks is an E_LABEL "unsupported" error naming driver and operation.
 */
import { SvirtError, unsupportedDriverOperation, usageError } from '../errors.js';
import type { DriverContext, DriverGuest, RequiredSlot, SecurityDriver } from './driver.js';
import type { GuestDef, LabelledFile, LiveSecLabel, SecLabelDef } from './guest-types.js';

type Hook<K extends RequiredSlot> = NonNullable<SecurityDriver[K]>;

/** The hook `slot` of `driver`, or an "unsupported" error. */
export function requireHook<K extends RequiredSlot>(driver: SecurityDriver, slot: K): Hook<K> {
  const hook = driver[slot];
  if (typeof hook !== 'function') throw unsupportedDriverOperation(driver.name, slot);
  return (hook as (...args: never[]) => unknown).bind(driver) as Hook<K>;
}

/** Run every thunk, then rethrow the first error (restore/release semantics). */
function runAll(thunks: Array<() => void>): void {
  let first: unknown;
  for (const t of thunks) {
    try {
      t();
    } catch (err) {
      first ??= err;
    }
  }
  if (first !== undefined) throw first;
}

export class SecurityStack {
  readonly drivers: readonly SecurityDriver[];

  constructor(drivers: readonly SecurityDriver[]) {
    if (drivers.length === 0) throw usageError('security driver stack: at least one driver is required');
    const seen = new Set<string>();
    for (const d of drivers) {
      if (seen.has(d.name)) throw usageError(`Duplicate security driver ${d.name}`);
      seen.add(d.name);
      if ((d.probe?.() ?? 'enable') === 'disable') throw usageError(`Security driver ${d.name} not enabled`);
    }
    if (seen.has('none') && drivers.length > 1) {
      throw usageError('security driver "none" can only be used in isolation, not in a stack');
    }
    this.drivers = drivers;
  }

  get primary(): SecurityDriver {
    return this.drivers[0]!;
  }

  /** the model the host reports (`<secmodel><model>`): the primary's */
  get model(): string {
    return this.primary.name;
  }

  getDOI(): string {
    return this.primary.getDOI?.() ?? '0';
  }

  getBaseLabel(virtType: 'kvm' | 'qemu'): string | undefined {
    return this.primary.getBaseLabel?.(virtType);
  }

  byName(name: string): SecurityDriver | undefined {
    return this.drivers.find((d) => d.name === name);
  }

  /** call every driver's verify for its seclabel */
  verify(def: GuestDef, seclabels: ReadonlyMap<string, SecLabelDef>, ctx: DriverContext): void {
    for (const d of this.drivers) {
      const sec = seclabels.get(d.name);
      if (sec) d.verify?.(def, sec, ctx);
    }
  }

  /**
   * Generate live labels, primary first. On failure, release those already generated (reverse
   * order) and rethrow. Drivers without a seclabel are skipped.
   */
  genLabels(def: GuestDef, seclabels: ReadonlyMap<string, SecLabelDef>, ctx: DriverContext): LiveSecLabel[] {
    const done: Array<[SecurityDriver, LiveSecLabel]> = [];
    try {
      for (const d of this.drivers) {
        const sec = seclabels.get(d.name);
        if (!sec) continue;
        done.push([d, requireHook(d, 'genLabel')(def, sec, ctx)]);
      }
    } catch (err) {
      for (const [d, live] of done.reverse()) {
        try {
          d.releaseLabel?.(def, live, ctx);
        } catch {
          // the transaction rollback undoes the store; the first error is the one to report
        }
      }
      throw err;
    }
    return done.map(([, live]) => live);
  }

  /** re-reserve running guests' labels (daemon restart); every driver, first error rethrown */
  reserveLabels(def: GuestDef, live: readonly LiveSecLabel[], ctx: DriverContext): void {
    runAll(this.withLive(live, (d, l) => () => d.reserveLabel?.(def, l, ctx)));
  }

  releaseLabels(def: GuestDef, live: readonly LiveSecLabel[], ctx: DriverContext): void {
    runAll(this.withLive(live, (d, l) => () => requireHook(d, 'releaseLabel')(def, l, ctx)));
  }

  /**
   * Label all resources through every driver in order; roll back on failure (see module doc).
   * Returns every labelled file, driver order.
   */
  setAllLabel(def: GuestDef, live: readonly LiveSecLabel[], ctx: DriverContext): LabelledFile[] {
    const done: Array<[SecurityDriver, DriverGuest]> = [];
    const files: LabelledFile[] = [];
    try {
      for (const d of this.drivers) {
        const l = live.find((x) => x.model === d.name);
        if (!l) continue;
        const guest: DriverGuest = { def, live: l, files: [] };
        const set = requireHook(d, 'setAllLabel')(guest, ctx);
        done.push([d, { def, live: l, files: set }]);
        files.push(...set);
      }
    } catch (err) {
      for (const [d, guest] of done.reverse()) {
        try {
          d.restoreAllLabel?.(guest, ctx);
        } catch (rollbackErr) {
          if (!(rollbackErr instanceof SvirtError)) throw rollbackErr;
        }
      }
      throw err;
    }
    return files;
  }

  /** restore through every driver (errors collected, first rethrown) */
  restoreAllLabel(def: GuestDef, live: readonly LiveSecLabel[], files: readonly LabelledFile[], ctx: DriverContext): void {
    runAll(
      this.withLive(live, (d, l) => () =>
        requireHook(d, 'restoreAllLabel')({ def, live: l, files: files.filter((f) => f.model === d.name) }, ctx),
      ),
    );
  }

  /** the process label per model (drivers returning undefined are omitted) */
  setProcessLabel(def: GuestDef, live: readonly LiveSecLabel[], ctx: DriverContext): Map<string, string> {
    const out = new Map<string, string>();
    runAll(
      this.withLive(live, (d, l) => () => {
        const label = requireHook(d, 'setProcessLabel')({ def, live: l, files: [] }, ctx);
        if (label !== undefined) out.set(d.name, label);
      }),
    );
    return out;
  }

  /** forget every driver's in-memory caches (after a rolled-back transaction) */
  invalidate(): void {
    for (const d of this.drivers) d.invalidate?.();
  }

  private withLive(live: readonly LiveSecLabel[], f: (d: SecurityDriver, l: LiveSecLabel) => () => void): Array<() => void> {
    const out: Array<() => void> = [];
    for (const d of this.drivers) {
      const l = live.find((x) => x.model === d.name);
      if (l) out.push(f(d, l));
    }
    return out;
  }
}
