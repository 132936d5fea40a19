/**
 * LabelManager: the sVirt label manager of a (simulated) virtualisation host — libvirt's security
 * manager plus the parts of qemuProcessStart/Stop that label (docs/libvirt-labels.md).
 *
 * Operations and their guarantees (each runs as ONE store transaction; after any error the store
 * and every driver's view are exactly as before the call):
 * - define(def | domain XML): validate (seclabels against the policy), store the guest shut off,
 *   register its disk images with their current/default labels. Redefining a shut-off guest with
 *   the same uuid replaces it.
 * - start(name): resolve seclabels per driver (implicit dynamic when default-confined), generate
 *   labels (the SELinux driver draws a unique MCS pair), label images through the stack (rollback
 *   on failure), label the process, record the guest running with a simulated pid.
 * - stop(name): restore images (remembered labels, refcounted; shared/readonly/backing never; with
 *   nothing remembered, the policy's file_contexts default, none for `<<none>>`/no match),
 *   release labels (the MCS pair becomes free), record the guest shut off. A restore error aborts
 *   the stop (the guest stays running, nothing changed).
 * - destroy(name): forced stop: restore errors become warnings; the guest always ends shut off.
 * - undefine(name): remove a shut-off guest's definition.
 * - reconnect(): after a process restart, re-reserve every running guest's labels in the drivers'
 *   in-memory tables and check the store's reservations (libvirt qemuProcessReconnect).
 */
import { SvirtError, guestError, quoteInput, unknownGuest } from '../errors.js';
import type { PolicyModel } from '../policy/model.js';
import { formatContext } from '../context/context.js';
import { DacDriver, type DacDriverOptions } from './dac.js';
import type { DriverContext, FileLabels, LabelChecker, SecurityDriver } from './driver.js';
import { checkDiskLocks, checkOwnDiskUses } from './disk-locks.js';
import { domainXmlToInput } from './domain-xml.js';
import { canonicalPath } from './paths.js';
import { normalizeGuest, resolveSeclabels } from './guest.js';
import type { GuestDef, GuestInput, GuestRecord } from './guest-types.js';
import type { Rng } from './mcs-alloc.js';
import { NoneDriver } from './none.js';
import { policyLabelChecker, storeFileLabels, syntaxLabelChecker } from './relabel.js';
import { embeddedFileContextsDir, loadFileContexts, NONE_CONTEXT, type FileContexts } from '../labeling/load.js';
import { labelError } from '../errors.js';
import { SelinuxDriver, type SelinuxDriverOptions } from './selinux.js';
import { SecurityStack } from './stack.js';
import type { HostStore } from './store.js';

export type { GuestDef, GuestInput, GuestRecord, LiveSecLabel, LabelledFile, SecLabelDef, DiskDef } from './guest-types.js';

/** Names of the built-in drivers the manager can construct itself. */
export type BuiltinDriverName = 'selinux' | 'dac' | 'none';

export interface LabelManagerOptions {
  store: HostStore;
  /**
   * The stack, primary first: built-in names or driver objects (e.g. the SMACK driver).
   * Default `['selinux', 'dac']` (libvirt on a privileged SELinux host: DAC appended last).
   */
  drivers?: ReadonlyArray<BuiltinDriverName | SecurityDriver>;
  /** the loaded policy: every SELinux label is validated and canonicalised against it */
  policy?: PolicyModel;
  /** guests without a seclabel for a driver get an implicit dynamic one (default true) */
  defaultConfined?: boolean;
  /** reject guests whose seclabel is type none (default false) */
  requireConfined?: boolean;
  /** options of the built-in SELinux driver (contexts, daemon range) */
  selinux?: Omit<SelinuxDriverOptions, 'rng'>;
  /** options of the built-in DAC driver (uid/gid) */
  dac?: DacDriverOptions;
  /** random source of the MCS allocator (default Math.random); seed it for reproducible tests */
  rng?: Rng;
  /** file label access (default: the store's file labels with policy defaults) */
  files?: FileLabels;
  /**
   * the policy's file contexts (a contexts/files directory loaded with `loadFileContexts`): the
   * SELinux default of a path, what a restore falls back to; default the embedded policy's
   * (policies/contexts/files), loaded on first use
   */
  fileContexts?: FileContexts;
}

/** What `destroy` returns: the guest shut off, plus any restore problems that were ignored. */
export interface DestroyResult {
  readonly record: GuestRecord;
  readonly warnings: string[];
}

export class LabelManager {
  readonly store: HostStore;
  readonly stack: SecurityStack;
  readonly checker: LabelChecker;
  readonly defaultConfined: boolean;
  readonly requireConfined: boolean;
  private readonly files: FileLabels;
  private fileContextsLoaded: FileContexts | undefined;

  constructor(options: LabelManagerOptions) {
    this.store = options.store;
    this.checker = options.policy ? policyLabelChecker(options.policy) : syntaxLabelChecker();
    this.defaultConfined = options.defaultConfined ?? true;
    this.requireConfined = options.requireConfined ?? false;
    this.fileContextsLoaded = options.fileContexts;
    const names = options.drivers ?? ['selinux', 'dac'];
    const drivers = names.map((d): SecurityDriver => {
      if (typeof d !== 'string') return d;
      switch (d) {
        case 'selinux':
          return new SelinuxDriver({ ...options.selinux, ...(options.rng ? { rng: options.rng } : {}) });
        case 'dac':
          return new DacDriver(options.dac);
        case 'none':
          return new NoneDriver();
        default:
          throw guestError('unsupported', '', `unknown security driver ${quoteInput(String(d))}`);
      }
    });
    this.stack = new SecurityStack(drivers);
    this.files = options.files ?? storeFileLabels(this.store, (path, model) => this.mustInitialLabel(path, model));
  }

  /** the model of the primary driver */
  get model(): string {
    return this.stack.model;
  }

  /** Define (or redefine) a guest from a plain object, a normalised def, or libvirt domain XML. */
  define(input: GuestInput | GuestDef | string, file = '<domain>'): GuestRecord {
    const raw = typeof input === 'string' ? domainXmlToInput(input, file) : input;
    return this.run(() => {
      // libvirt: redefining a guest without a uuid keeps the existing one
      const known = raw.uuid === undefined ? this.store.getGuest(raw.name) : undefined;
      const def = normalizeGuest(known ? { ...raw, uuid: known.def.uuid } : raw, this.model);
      checkOwnDiskUses(def);
      const ctx = this.context();
      this.stack.verify(def, resolveSeclabels(def, this.stack, this), ctx);
      const existing = this.store.getGuest(def.name);
      if (existing?.state === 'running') throw guestError('already-running', def.name, `guest ${quoteInput(def.name)} is running; stop it before redefining`);
      if (existing && existing.def.uuid !== def.uuid) {
        throw guestError('uuid-conflict', def.name, `guest ${quoteInput(def.name)} already exists with uuid ${existing.def.uuid}`);
      }
      const clash = this.store.guestNameByUuid(def.uuid);
      if (clash !== undefined && clash !== def.name) throw guestError('uuid-conflict', def.name, `uuid ${def.uuid} is already used by guest ${quoteInput(clash)}`);
      const record: GuestRecord = { def, state: 'shutoff', live: [], files: [] };
      this.store.putGuest(record);
      // the images now exist on the host with their current (or default) labels
      for (const path of diskPaths(def)) {
        for (const d of this.stack.drivers) {
          if (this.store.getFileLabel(path, d.name) === undefined && this.initialLabel(path, d.name) !== undefined) {
            this.store.setFileLabel(path, d.name, this.files.get(path, d.name));
          }
        }
      }
      return record;
    });
  }

  start(name: string): GuestRecord {
    return this.run(() => {
      const stored = this.mustGet(name);
      if (stored.state === 'running') throw guestError('already-running', name, `guest ${quoteInput(name)} is already running`);
      // a definition stored before disk paths were canonical is canonicalised here (idempotent)
      const def = normalizeGuest(stored.def, this.model);
      checkOwnDiskUses(def);
      // the lock manager's part (virtlockd): no running guest may hold one of these files incompatibly
      checkDiskLocks(def, this.store.listGuests());
      const ctx = this.context();
      const seclabels = resolveSeclabels(def, this.stack, this);
      this.stack.verify(def, seclabels, ctx);
      const live = this.stack.genLabels(def, seclabels, ctx);
      const files = this.stack.setAllLabel(def, live, ctx);
      this.stack.setProcessLabel(def, live, ctx);
      const record: GuestRecord = { def, state: 'running', pid: this.store.nextPid(), live, files, startedAt: Date.now() };
      this.store.putGuest(record);
      return record;
    });
  }

  stop(name: string): GuestRecord {
    return this.run(() => {
      const rec = this.mustGetRunning(name);
      const ctx = this.context();
      this.stack.restoreAllLabel(rec.def, rec.live, rec.files, ctx);
      this.stack.releaseLabels(rec.def, rec.live, ctx);
      const record: GuestRecord = { def: rec.def, state: 'shutoff', live: [], files: [] };
      this.store.putGuest(record);
      return record;
    });
  }

  /** Forced stop: restore problems are reported as warnings, the guest always ends shut off. */
  destroy(name: string): DestroyResult {
    return this.run(() => {
      const rec = this.mustGetRunning(name);
      const ctx = this.context();
      const warnings: string[] = [];
      for (const d of this.stack.drivers) {
        const l = rec.live.find((x) => x.model === d.name);
        if (!l) continue;
        for (const f of rec.files.filter((x) => x.model === d.name)) {
          try {
            d.restoreAllLabel?.({ def: rec.def, live: l, files: [f] }, ctx);
          } catch (err) {
            if (!(err instanceof SvirtError)) throw err;
            warnings.push(`${quoteInput(f.path)}: ${err.message}`);
          }
        }
      }
      this.stack.releaseLabels(rec.def, rec.live, ctx);
      const record: GuestRecord = { def: rec.def, state: 'shutoff', live: [], files: [] };
      this.store.putGuest(record);
      return { record, warnings };
    });
  }

  undefine(name: string): void {
    this.run(() => {
      const rec = this.mustGet(name);
      if (rec.state === 'running') throw guestError('already-running', name, `guest ${quoteInput(name)} is running; stop it before undefining`);
      this.store.deleteGuest(name);
    });
  }

  /** Re-reserve the labels of guests the store says are running (process restart). */
  reconnect(): GuestRecord[] {
    return this.run(() => {
      const ctx = this.context();
      const running = this.store.listGuests().filter((g) => g.state === 'running');
      for (const g of running) this.stack.reserveLabels(g.def, g.live, ctx);
      return running;
    });
  }

  get(name: string): GuestRecord {
    return this.mustGet(name);
  }

  list(): GuestRecord[] {
    return this.store.listGuests();
  }

  /** a file's current label for a model (default: the primary's) */
  fileLabel(path: string, model: string = this.model): string {
    return this.files.get(canonicalPath(path), model);
  }

  /** the file contexts SELinux defaults come from (the embedded policy's unless given) */
  get fileContexts(): FileContexts {
    this.fileContextsLoaded ??= loadFileContexts(embeddedFileContextsDir());
    return this.fileContextsLoaded;
  }

  /**
   * The policy-default label of a path, what a restore falls back to. SELinux: the file_contexts
   * entry for it (selabel_lookup, mode unknown: as `matchpathcon` without `-m`), validated against
   * the policy; undefined for `<<none>>` or no match, which leaves a file's label as it is (as
   * restorecon does). Other models: their driver's `policyDefaultLabel` (DAC `+0:+0`).
   */
  defaultLabel(path: string, model: string): string | undefined {
    const p = canonicalPath(path);
    if (model !== 'selinux') return this.stack.byName(model)?.policyDefaultLabel?.(p);
    const context = this.fileContexts.lookup(p);
    if (context === null || context === NONE_CONTEXT) return undefined;
    return this.checker.context(context, `file_contexts default of ${quoteInput(p)}`);
  }

  /**
   * The label of a file nobody has labelled: its policy default, else (SELinux) the context of the
   * policy's `file` initial SID — the kernel gives an inode without a security.selinux attribute
   * its superblock's def_sid, SECINITSID_FILE (K security/selinux/hooks.c
   * inode_doinit_with_dentry) — or refpolicy's `system_u:object_r:unlabeled_t:s0` without a
   * policy (also when the file_contexts entry is not valid in the loaded policy). Undefined for a
   * model without file labels (none).
   */
  initialLabel(path: string, model: string): string | undefined {
    if (model !== 'selinux') return this.defaultLabel(path, model);
    if (this.stack.byName(model) === undefined) return undefined;
    let policyDefault: string | undefined;
    try {
      policyDefault = this.defaultLabel(path, model);
    } catch (err) {
      // a context the loaded policy does not know: the kernel maps such an on-disk label to the
      // unlabeled SID (K security_context_to_sid_default, "unmapped" contexts); restore still
      // refuses it (defaultLabel throws)
      if (!(err instanceof SvirtError)) throw err;
    }
    return policyDefault ?? this.fileSidContext();
  }

  private fileSidContext(): string {
    const model = this.checker.model;
    const sid = model?.initialSids.find((s) => s.name === 'file');
    if (model === undefined || sid?.context === undefined) return UNLABELED_FILE;
    return formatContext(model, sid.context);
  }

  private mustInitialLabel(path: string, model: string): string {
    const label = this.initialLabel(path, model);
    if (label === undefined) throw labelError(`no ${model} label for ${quoteInput(path)}`);
    return label;
  }

  /** Run `fn` in one transaction; after a failure, drivers drop caches the rollback invalidated. */
  private run<T>(fn: () => T): T {
    try {
      return this.store.transaction(fn);
    } catch (err) {
      this.stack.invalidate();
      throw err;
    }
  }

  private context(): DriverContext {
    return {
      store: this.store,
      files: this.files,
      checker: this.checker,
      defaultLabel: (path, model) => this.defaultLabel(path, model),
    };
  }

  private mustGet(name: string): GuestRecord {
    const rec = this.store.getGuest(name);
    if (!rec) throw unknownGuest(name);
    return rec;
  }

  private mustGetRunning(name: string): GuestRecord {
    const rec = this.mustGet(name);
    if (rec.state !== 'running') throw guestError('not-running', name, `guest ${quoteInput(name)} is not running`);
    return rec;
  }
}

/** refpolicy's `sid file` context: what an unlabelled file has when no policy is loaded */
export const UNLABELED_FILE = 'system_u:object_r:unlabeled_t:s0';

/** every file path of a definition: tops and backing layers, in disk order */
export function diskPaths(def: GuestDef): string[] {
  const out: string[] = [];
  for (const d of def.disks) {
    out.push(d.source);
    for (const b of d.backingChain) out.push(b.source);
  }
  return [...new Set(out)];
}
