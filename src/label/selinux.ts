/**
 * The SELinux (sVirt) driver: libvirt security_selinux.c for a simulated host
 * (docs/libvirt-labels.md).
 *
 * Contexts (defaults = the embedded policy's virtual_domain_context / virtual_image_context; a
 * policy's own files are read by virt-contexts.ts and passed in as these options):
 *   domain  `system_u:system_r:svirt_t:s0`      (KVM guests' process base)
 *   alt     none by default (refpolicy ships one line); Fedora's second line is
 *           `system_u:system_r:svirt_tcg_t:s0` (TCG guests) — pass it as altDomainContext
 *   file    `system_u:object_r:svirt_image_t:s0` (image base; shared disks get it at s0)
 *   content `system_u:object_r:virt_content_t:s0` (read-only disks, backing layers)
 *   daemon  `system_u:system_r:virtd_t:s0-s0:c0.c1023` (its range is the allocation pool)
 * Building a label (virSecuritySELinuxGenNewContext): user ← daemon; role ← daemon for processes, the base's
 * role (object_r) for files; type ← base (or `<baselabel>`'s type); range ← the MCS level.
 *
 * Uniqueness: the MCS allocator (mcs-alloc.ts) is this driver's private table, like libvirt's hash
 * of reserved ranges, but the HostStore's reservation table is the arbiter across processes: inside
 * the manager's (IMMEDIATE) transaction the allocator is resynchronised whenever the store's MCS
 * generation differs from the one it last saw, every draw is inserted into the store (a UNIQUE
 * index in SQLite), and a conflicting insert marks the pair taken and draws again. Static labels
 * are reserved too (by pair when they are a pair in the pool, else by text), so a dynamic guest
 * never draws a running static guest's pair.
 */
import { guestError, labelError, quoteInput } from '../errors.js';
import type { DriverContext, DriverGuest, LabelChecker } from './driver.js';
import { FileLabelDriver } from './file-driver.js';
import type { DiskDef, GuestDef, LabelledFile, LiveSecLabel, SecLabelDef } from './guest-types.js';
import { McsAllocator, parseMcsLevel, parsePoolRange, type Rng } from './mcs-alloc.js';
import { formatMcs, joinContext, notYetLabelled, planDiskLabels, setFileLabel, splitContext, type AlreadyLabelled } from './relabel.js';
import type { HostStore } from './store.js';

export interface SelinuxDriverOptions {
  domainContext?: string;
  /** TCG guests' base; when absent they use domainContext (libvirt warns once) */
  altDomainContext?: string;
  fileContext?: string;
  contentContext?: string;
  /** the daemon's own context: user, role and the allocation range come from it */
  daemonContext?: string;
  rng?: Rng;
}

export const SELINUX_DEFAULTS = {
  domainContext: 'system_u:system_r:svirt_t:s0',
  fileContext: 'system_u:object_r:svirt_image_t:s0',
  contentContext: 'system_u:object_r:virt_content_t:s0',
  daemonContext: 'system_u:system_r:virtd_t:s0-s0:c0.c1023',
} as const;

const MODEL = 'selinux';

export class SelinuxDriver extends FileLabelDriver {
  readonly name = MODEL;
  readonly allocator: McsAllocator;
  private readonly opts: Required<Omit<SelinuxDriverOptions, 'rng' | 'altDomainContext'>> & { altDomainContext?: string };
  /** store MCS generation the allocator mirrors exactly; -1 = unknown (resync before use) */
  private knownGeneration = -1;
  private checkedFor: LabelChecker | undefined;
  private readonly checkedLabels = new Map<string, string>();

  constructor(options: SelinuxDriverOptions = {}) {
    super();
    this.opts = {
      domainContext: options.domainContext ?? SELINUX_DEFAULTS.domainContext,
      fileContext: options.fileContext ?? SELINUX_DEFAULTS.fileContext,
      contentContext: options.contentContext ?? SELINUX_DEFAULTS.contentContext,
      daemonContext: options.daemonContext ?? SELINUX_DEFAULTS.daemonContext,
      ...(options.altDomainContext !== undefined ? { altDomainContext: options.altDomainContext } : {}),
    };
    const daemon = splitContext(this.opts.daemonContext);
    this.allocator = new McsAllocator(parsePoolRange(daemon.range || 's0'), options.rng ?? Math.random);
  }

  getDOI(): string {
    return '0';
  }

  getBaseLabel(virtType: 'kvm' | 'qemu'): string {
    return virtType === 'qemu' && this.opts.altDomainContext ? this.opts.altDomainContext : this.opts.domainContext;
  }

  verify(def: GuestDef, sec: SecLabelDef, ctx: DriverContext): void {
    if (sec.type === 'static') ctx.checker.context(sec.label!, `static label of guest ${quoteInput(def.name)}`);
    if (sec.baseLabel !== undefined) ctx.checker.context(sec.baseLabel, `baselabel of guest ${quoteInput(def.name)}`);
    for (const [i, d] of def.disks.entries()) {
      for (const layer of [d, ...d.backingChain]) {
        for (const s of layer.seclabels) {
          if (s.model === MODEL && s.label !== undefined) ctx.checker.context(s.label, `disk ${i + 1} label of guest ${quoteInput(def.name)} (${quoteInput(layer.source)})`);
        }
      }
    }
  }

  genLabel(def: GuestDef, sec: SecLabelDef, ctx: DriverContext): LiveSecLabel {
    const daemon = splitContext(this.opts.daemonContext);
    const file = splitContext(this.opts.fileContext);
    const sens = this.allocator.pool.sens;
    switch (sec.type) {
      case 'dynamic': {
        const base = splitContext(sec.baseLabel ?? this.getBaseLabel(def.virtType));
        const level = this.allocateLevel(def.name, ctx.store);
        const label = ctx.checker.context(joinContext({ user: daemon.user, role: daemon.role, type: base.type, range: level }), `process label of guest ${quoteInput(def.name)}`);
        const imageLabel = ctx.checker.context(joinContext({ user: daemon.user, role: file.role, type: file.type, range: level }), `image label of guest ${quoteInput(def.name)}`);
        return { model: MODEL, type: 'dynamic', relabel: true, label, imageLabel, mcsLevel: level, mcsDynamic: true };
      }
      case 'static': {
        const label = ctx.checker.context(sec.label!, `static label of guest ${quoteInput(def.name)}`);
        const range = splitContext(label).range || sens;
        const level = this.reserveStatic(def.name, range, ctx.store);
        const imageLabel = ctx.checker.context(joinContext({ user: daemon.user, role: file.role, type: file.type, range }), `image label of guest ${quoteInput(def.name)}`);
        return { model: MODEL, type: 'static', relabel: sec.relabel, label, imageLabel, mcsLevel: level, mcsDynamic: false };
      }
      case 'none': {
        const imageLabel = ctx.checker.context(joinContext({ user: daemon.user, role: file.role, type: file.type, range: sens }), `image label of guest ${quoteInput(def.name)}`);
        return { model: MODEL, type: 'none', relabel: false, imageLabel };
      }
      default:
        throw guestError('bad-seclabel', def.name, `unresolved seclabel type ${quoteInput(sec.type)}`);
    }
  }

  reserveLabel(def: GuestDef, live: LiveSecLabel, ctx: DriverContext): void {
    if (live.mcsLevel === undefined) return;
    const held = ctx.store.mcsHolders(live.mcsLevel);
    if (!held.some((r) => r.guest === def.name)) {
      const id = this.allocator.idOfLevel(live.mcsLevel);
      const ok = ctx.store.reserveMcs({ guest: def.name, level: live.mcsLevel, dynamic: live.mcsDynamic === true, ...(id !== undefined ? { pairId: id } : {}) });
      if (!ok) throw guestError('label-in-use', def.name, `MCS level for existing domain label ${live.label ?? live.mcsLevel} already reserved`);
    }
    this.sync(ctx.store);
  }

  releaseLabel(def: GuestDef, live: LiveSecLabel, ctx: DriverContext): void {
    if (live.mcsLevel === undefined) return;
    const synced = this.knownGeneration === ctx.store.mcsGeneration();
    const released = ctx.store.releaseMcs(def.name);
    if (!synced) return; // the next allocation resynchronises from the store
    if (released) {
      const id = this.allocator.idOfLevel(released.level);
      if (id !== undefined && ctx.store.mcsHolders(released.level).length === 0) this.allocator.release(id);
    }
    this.knownGeneration = ctx.store.mcsGeneration();
  }

  invalidate(): void {
    this.knownGeneration = -1;
  }

  setImageLabel(guest: DriverGuest, disk: DiskDef, ctx: DriverContext, labelled?: AlreadyLabelled): LabelledFile[] {
    if (!guest.live.relabel || guest.live.imageLabel === undefined) return [];
    const labels = {
      image: guest.live.imageLabel,
      shared: this.opts.fileContext,
      content: this.opts.contentContext,
    };
    const out: LabelledFile[] = [];
    for (const plan of notYetLabelled(guest.def.name, MODEL, planDiskLabels(disk, MODEL, labels), labelled)) {
      // the image label was validated by genLabel; the configured contexts once per checker;
      // per-disk overrides every time
      const label = plan.role === 'image' ? plan.label : this.checked(ctx, plan.label, `label for ${quoteInput(plan.path)} of guest ${quoteInput(guest.def.name)}`, plan.role !== 'override');
      out.push(setFileLabel(guest.def.name, ctx.store, ctx.files, MODEL, { ...plan, label }));
    }
    return out;
  }

  /** validate a label; configuration labels are cached per checker (they never change) */
  private checked(ctx: DriverContext, label: string, what: string, cache: boolean): string {
    if (!cache) return ctx.checker.context(label, what);
    if (this.checkedFor !== ctx.checker) {
      this.checkedFor = ctx.checker;
      this.checkedLabels.clear();
    }
    let canonical = this.checkedLabels.get(label);
    if (canonical === undefined) {
      canonical = ctx.checker.context(label, what);
      this.checkedLabels.set(label, canonical);
    }
    return canonical;
  }

  /** Make the allocator mirror the store's reservations, unless it already does. */
  private sync(store: HostStore): void {
    const generation = store.mcsGeneration();
    if (generation === this.knownGeneration) return;
    const taken: number[] = [];
    for (const r of store.listMcs()) {
      const id = this.allocator.idOfLevel(r.level);
      if (id !== undefined) taken.push(id);
    }
    this.allocator.reset(taken);
    this.knownGeneration = generation;
  }

  /** Draw a free pair and reserve it in the store; a store conflict marks it taken and redraws. */
  private allocateLevel(guest: string, store: HostStore): string {
    this.sync(store);
    for (;;) {
      const id = this.allocator.allocateId();
      const level = this.allocator.levelOf(id);
      if (store.reserveMcs({ guest, level, pairId: id, dynamic: true })) {
        this.knownGeneration = store.mcsGeneration();
        return level;
      }
      // held in the store but not in our mirror: the pair stays taken locally; draw again
    }
  }

  /** Reserve a static label's range (by pair id when it is a pool pair); returns the level key. */
  private reserveStatic(guest: string, range: string, store: HostStore): string {
    const dash = range.indexOf('-');
    const low = parseMcsLevel(dash < 0 ? range : range.slice(0, dash));
    const high = dash < 0 ? low : parseMcsLevel(range.slice(dash + 1));
    // the guest's clearance (high level) is what it can reach: that is the pair to keep apart
    const level = formatMcs(high.sens, high.cats);
    const holders = store.mcsHolders(level);
    const dynamicHolder = holders.find((r) => r.dynamic);
    if (dynamicHolder) {
      throw guestError('label-in-use', guest, `static label level ${level} of guest ${quoteInput(guest)} is in use by the dynamic label of guest ${quoteInput(dynamicHolder.guest)}`);
    }
    this.sync(store);
    const id = this.allocator.idOfLevel(high);
    if (!store.reserveMcs({ guest, level, dynamic: false, ...(id !== undefined ? { pairId: id } : {}) })) {
      throw labelError(`cannot reserve static MCS level ${level} for guest ${quoteInput(guest)}`);
    }
    if (id !== undefined) this.allocator.take(id);
    this.knownGeneration = store.mcsGeneration();
    return level;
  }
}
