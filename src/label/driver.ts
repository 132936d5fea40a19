/**
 * The security driver interface: libvirt's `virSecurityDriver` hook table (docs/libvirt-labels.md),
 * trimmed to what a label manager for a simulated host needs. Every slot except `name` is
 * optional; the stack (stack.ts) turns a missing lifecycle slot into an E_LABEL "unsupported"
 * error naming the driver and the operation (libvirt's virReportUnsupportedError), while the
 * informational slots fall back to defaults (DOI "0", no base label, verify = accept).
 *
 * Drivers: `selinux` (sVirt MCS, selinux.ts), `dac` (uid:gid ownership, dac.ts), `none`
 * (no-op, none.ts), `smack` (src/label/smack.ts, written by the host helper on this interface).
 *
 * Transactions: the manager calls every hook inside one `HostStore.transaction`; a hook reports a
 * failure by throwing a SvirtError and leaves the undo to the transaction (and, for earlier
 * drivers of the stack, to the stack's rollback). Hooks must not keep in-memory state that the
 * transaction cannot undo, unless they also implement `invalidate` (called after a rollback).
 */
import type { PolicyModel } from '../policy/model.js';
import type { DiskDef, GuestDef, LabelledFile, LiveSecLabel, SecLabelDef } from './guest-types.js';
import type { HostStore } from './store.js';

/** libvirt probe result: ENABLE 0 / DISABLE -2 (a disabled named driver is an error). */
export type DriverProbe = 'enable' | 'disable';

/**
 * Access to the current labels of files on the (simulated) host, per driver model. The default
 * implementation (relabel.ts `storeFileLabels`) reads and writes `HostStore` file labels and falls
 * back to `defaultLabel` for a file the store has never seen. Tests wrap it to inject failures.
 */
export interface FileLabels {
  /** the file's current label for `model` (never undefined: unknown files have their default) */
  get(path: string, model: string): string;
  /** set the file's label for `model`; throws (E_LABEL / E_IO) on failure */
  set(path: string, model: string, label: string): void;
}

/**
 * Validates and canonicalises labels against the loaded policy. The policy-backed checker
 * (relabel.ts `policyLabelChecker`) uses parseContext/formatContext; without a policy
 * (`syntaxLabelChecker`) only the `user:role:type[:level]` shape and MCS level syntax are checked.
 */
export interface LabelChecker {
  /** the policy, when one is loaded */
  readonly model: PolicyModel | undefined;
  /**
   * Parse and validate an SELinux context; return its kernel-canonical text. Throws a
   * ContextError/SvirtError whose message names `what` (e.g. "static label of guest vm1").
   */
  context(text: string, what: string): string;
}

/** Everything a hook may use. One instance per manager operation (inside its transaction). */
export interface DriverContext {
  readonly store: HostStore;
  readonly files: FileLabels;
  readonly checker: LabelChecker;
  /**
   * The policy-default label of `path` for `model`, what a restore falls back to: SELinux the
   * policy's file_contexts (selabel_lookup, as restorecon), undefined for `<<none>>` or no match
   * (leave the label as it is); other models their driver's `policyDefaultLabel` (DAC `+0:+0`).
   */
  defaultLabel(path: string, model: string): string | undefined;
}

/** A guest as a hook sees it during start/stop: definition plus this driver's live label. */
export interface DriverGuest {
  readonly def: GuestDef;
  /** this driver's live seclabel (from genLabel at start, from the store at stop) */
  readonly live: LiveSecLabel;
  /** at restore: the files this driver labelled at start (its model only) */
  readonly files: readonly LabelledFile[];
}

export interface SecurityDriver {
  /** the model name in `<seclabel model=…>`: 'selinux', 'dac', 'none', 'smack' */
  readonly name: string;

  // ---- meta ----------------------------------------------------------------------------------
  /** is the driver usable on this host (default 'enable') */
  probe?(): DriverProbe;
  /** domain of interpretation (libvirt: always "0") */
  getDOI?(): string;
  /**
   * A model without a policy file of its own: the label every file returns to when nothing was
   * remembered for it, and the label of a file nobody labelled (DAC root `+0:+0`, libvirt
   * virSecurityDACRestoreFileLabel; SMACK the floor `_`). SELinux takes both from the policy.
   */
  policyDefaultLabel?(path: string): string;
  /** the base process label for a virt type (capabilities `<baselabel type=…>`) */
  getBaseLabel?(virtType: 'kvm' | 'qemu'): string | undefined;

  // ---- label lifecycle -------------------------------------------------------------------------
  /** check a definition's seclabel for this model (static label valid, baselabel valid, …) */
  verify?(def: GuestDef, sec: SecLabelDef, ctx: DriverContext): void;
  /** generate the live label for a start (dynamic: allocate; static: take as given; none) */
  genLabel?(def: GuestDef, sec: SecLabelDef, ctx: DriverContext): LiveSecLabel;
  /** re-reserve a running guest's label in this process (daemon restart; docs/libvirt-labels.md, lifecycle) */
  reserveLabel?(def: GuestDef, live: LiveSecLabel, ctx: DriverContext): void;
  /** give back what genLabel/reserveLabel took (stop) */
  releaseLabel?(def: GuestDef, live: LiveSecLabel, ctx: DriverContext): void;
  /** forget in-memory caches after a rolled-back transaction (e.g. the MCS allocator's view) */
  invalidate?(): void;

  // ---- bulk relabel ----------------------------------------------------------------------------
  /** label every resource of the guest; return what was labelled (for restore and the store) */
  setAllLabel?(guest: DriverGuest, ctx: DriverContext): LabelledFile[];
  /** restore every resource labelled at start; must try every file and then throw the first error */
  restoreAllLabel?(guest: DriverGuest, ctx: DriverContext): void;

  // ---- per object (hotplug) --------------------------------------------------------------------
  /** `labelled`: what this guest's earlier disks labelled (a shared backing file is labelled once) */
  setImageLabel?(guest: DriverGuest, disk: DiskDef, ctx: DriverContext, labelled?: (path: string) => LabelledFile | undefined): LabelledFile[];
  restoreImageLabel?(guest: DriverGuest, files: readonly LabelledFile[], ctx: DriverContext): void;

  // ---- process -------------------------------------------------------------------------------------
  /**
   * The label the guest process is started with under this model (setexeccon / uid:gid / SMACK
   * label); undefined = the process keeps what the exec transition gives (type none).
   */
  setProcessLabel?(guest: DriverGuest, ctx: DriverContext): string | undefined;
}

/** The lifecycle slots whose absence the stack reports as "unsupported". */
export type RequiredSlot = 'genLabel' | 'reserveLabel' | 'releaseLabel' | 'setAllLabel' | 'restoreAllLabel' | 'setProcessLabel' | 'setImageLabel' | 'restoreImageLabel';
