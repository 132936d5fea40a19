/**
 * The simulated virtualisation host: a filesystem with labelled objects, a process table, the
 * label manager (libvirt's role) and the security server (the kernel's role), tied together so
 * that guests can be defined, started and stopped, admins can relabel files, and a guest's QEMU
 * process can try to touch things — every attempt decided by the AVC and audited.
 *
 * State lives in the HostStore: guests and their live labels, file labels (model `selinux`),
 * inode numbers (meta keys `host.ino:<path>`, counter `host.ino.next`) and the audit log. The
 * in-memory filesystem and process table are rebuilt from it on open, so every CLI invocation
 * sees the same host.
 *
 * The host's fixed part: a few directories and files with refpolicy-style labels (the QEMU binaries
 * and libvirt's directories labelled by the policy's file_contexts), and the processes systemd
 * (pid 1), virtqemud and an admin shell. Guest images appear when a guest that uses them is
 * defined; QEMU processes exist while their guest runs.
 *
 * A guest's birth (`launch`), as libvirt and the kernel do it: the label manager labels the images
 * and reserves the MCS pair (qemuProcessStart → SetAllLabel), then virtqemud's child (virtd_t)
 * sets the exec context to the guest's label (setexeccon, SetProcessLabel) and executes the QEMU
 * binary; every check of that exec goes through the AVC (hooks.ts `exec`). A refused exec fails
 * the start: its AVC records stay in the audit log and the guest is stopped again as libvirt's
 * qemuProcessStop does after a failed start (images restored, the pair released). A guest without
 * an SELinux label executes QEMU with the domain the policy's type_transition gives
 * (security_transition_sid; none: the daemon's own). Files a guest creates (`create`) are labelled
 * by the kernel's rule (computeNewLabel 'create', K security_compute_sid) and kept in the store.
 */
import type { SecurityServer } from '../types.js';
import { guestError, quoteInput, usageError } from '../errors.js';
import type { NewLabelAnswer } from '../security/new-labels.js';
import type { NewLabelKind } from '../security/compute-sid.js';
import type { LabelManager } from '../label/manager.js';
import type { GuestRecord } from '../label/guest-types.js';
import type { HostStore } from '../label/store.js';
import type { SetransTable } from '../context/setrans.js';
import { AuditLog } from './audit-log.js';
import { ObjectManager, type HookResult, type SignalName } from './hooks.js';
import { HostFs, OBJECT_CLASSES, normalizePath, parentPath, type HostObject, type ObjectClass } from './objects.js';
import { ProcessTable, commOf, type HostProcess } from './processes.js';
import { formatLsZ, formatPsEZ, type Translate } from './views.js';

/** The admin who runs `chcon`: an unconfined login shell (refpolicy targeted default). */
export const ADMIN_CONTEXT = 'unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023';
/** The virtualisation daemon (libvirt's own context; guests' user and role come from it). */
export const DAEMON_CONTEXT = 'system_u:system_r:virtd_t:s0-s0:c0.c1023';
export const INIT_CONTEXT = 'system_u:system_r:init_t:s0';
/** Label of the root filesystem's superblock (genfscon/fs_use for ext4/xfs in refpolicy). */
export const FS_CONTEXT = 'system_u:object_r:fs_t:s0';

export const PID_INIT = 1;
export const PID_DAEMON = 812;
export const PID_ADMIN = 2153;

/**
 * Fixed objects of the host (path, class, label); labels follow refpolicy's file contexts. An
 * entry without a label takes its label from the policy's file_contexts (manager.initialLabel).
 */
export const HOST_SKELETON: ReadonlyArray<readonly [string, ObjectClass, string?]> = [
  ['/', 'dir', 'system_u:object_r:root_t:s0'],
  ['/etc', 'dir', 'system_u:object_r:etc_t:s0'],
  ['/etc/shadow', 'file', 'system_u:object_r:shadow_t:s0'],
  ['/dev', 'dir', 'system_u:object_r:device_t:s0'],
  ['/dev/kvm', 'chr_file', 'system_u:object_r:kvm_device_t:s0'],
  ['/var', 'dir', 'system_u:object_r:var_t:s0'],
  ['/var/lib', 'dir', 'system_u:object_r:var_lib_t:s0'],
  ['/var/lib/libvirt', 'dir', 'system_u:object_r:virt_var_lib_t:s0'],
  ['/var/lib/libvirt/images', 'dir', 'system_u:object_r:virt_image_t:s0'],
  ['/var/lib/libvirt/qemu', 'dir'],
  ['/tmp', 'dir'],
  ['/usr/bin/qemu-system-x86_64', 'file'],
  ['/usr/libexec/qemu-kvm', 'file'],
];

/** The QEMU binary libvirt executes for a guest: TCG guests the upstream name, KVM guests qemu-kvm. */
export function qemuBinary(virtType: 'kvm' | 'qemu'): string {
  return virtType === 'qemu' ? '/usr/bin/qemu-system-x86_64' : '/usr/libexec/qemu-kvm';
}

/** The security server the host needs: access decisions and new-object labels. */
export type HostSecurityServer = SecurityServer & {
  computeNewLabel(kind: NewLabelKind, ssid: number, tsid: number, tclass: number, name?: string): NewLabelAnswer;
};

/** Store meta key holding the class of an object a process created (files are the default). */
const CLASS_KEY = 'host.class:';

/** Operations `attack` can make a guest's QEMU process try. */
export const ATTACK_PERMS = [
  'read',
  'write',
  'append',
  'open',
  'getattr',
  'setattr',
  'ioctl',
  'lock',
  'unlink',
  'execute',
  'relabel',
  'signal',
  'sigkill',
  'sigstop',
  'ptrace',
] as const;
export type AttackPerm = (typeof ATTACK_PERMS)[number];

const PROCESS_PERMS = new Set<AttackPerm>(['signal', 'sigkill', 'sigstop', 'ptrace']);

export interface HostOptions {
  readonly store: HostStore;
  readonly manager: LabelManager;
  readonly server: HostSecurityServer;
  /** display translation (ls -Z, ps -eZ) and human input for chcon */
  readonly setrans?: SetransTable;
  /** ms since the epoch, for audit timestamps */
  readonly clock?: () => number;
  /** the admin shell's context (default ADMIN_CONTEXT) */
  readonly adminContext?: string;
  /** the virtualisation daemon's context (default DAEMON_CONTEXT) */
  readonly daemonContext?: string;
}

export interface AttackResult extends HookResult {
  readonly attacker: HostProcess;
  /** audit lines written by this attempt */
  readonly audit: string[];
}

/** What `launch` did: the guest running, or the refused exec with its audit records. */
export interface LaunchResult extends HookResult {
  /** the guest after the attempt: running, or shut off again when the exec was refused */
  readonly record: GuestRecord;
  /** the QEMU binary executed */
  readonly exe: string;
  /** the daemon's domain before the exec and the guest process's after it */
  readonly from: string;
  readonly to: string;
  /** the exec context was set with setexeccon (else the policy's type_transition decided) */
  readonly setexec: boolean;
  readonly audit: string[];
}

/** What `create` did: the new object's computed label and the checks made. */
export interface CreateResult extends HookResult {
  readonly path: string;
  readonly tclass: ObjectClass;
  /** the label computed for it (K security_compute_sid, computeNewLabel 'create') */
  readonly label: string;
  readonly audit: string[];
}

export interface ChconResult extends HookResult {
  readonly path: string;
  readonly from: string;
  readonly to: string;
  readonly audit: string[];
}

export class SimulatedHost {
  readonly store: HostStore;
  readonly manager: LabelManager;
  readonly server: HostSecurityServer;
  readonly setrans: SetransTable | undefined;
  readonly audit: AuditLog;
  readonly objects: ObjectManager;
  readonly adminContext: string;
  readonly daemonContext: string;
  fs!: HostFs;
  procs!: ProcessTable;

  constructor(options: HostOptions) {
    this.store = options.store;
    this.manager = options.manager;
    this.server = options.server;
    this.setrans = options.setrans;
    this.adminContext = options.adminContext ?? ADMIN_CONTEXT;
    this.daemonContext = options.daemonContext ?? DAEMON_CONTEXT;
    this.audit = new AuditLog(this.store, options.clock);
    this.objects = new ObjectManager(this.server, { fsLabel: () => FS_CONTEXT });
    this.server.onAudit((record) => void this.audit.append(record));
    this.refresh();
  }

  /** display form of a raw context */
  readonly display: Translate = (context) => (this.setrans ? this.setrans.toHuman(context) : context);

  /**
   * Rebuild the filesystem and process table from the store. Linear in the number of files: one
   * pass over the guests' disks, inode numbers allocated in one store transaction (none when the
   * store is read-only: unknown paths then get numbers that are not persisted).
   */
  refresh(): void {
    if (this.store.readonly) this.build();
    else this.store.transaction(() => this.build());
  }

  private build(): void {
    const fs = new HostFs((path) => this.inode(path));
    const dirLabel = (dir: string): string => this.currentLabel(dir);
    for (const [path, tclass, label] of HOST_SKELETON) fs.add(path, tclass, this.store.getFileLabel(path, 'selinux') ?? label ?? this.currentLabel(path), dirLabel);
    const guests = this.store.listGuests();
    // path → whether some guest uses it as a block device (first disk naming it decides)
    const block = new Map<string, boolean>();
    for (const g of guests) {
      for (const d of g.def.disks) {
        for (const layer of [d, ...d.backingChain]) {
          const p = normalizePath(layer.source);
          if (!block.has(p)) block.set(p, layer.type === 'block');
        }
      }
    }
    const paths = new Set<string>(block.keys());
    for (const f of this.store.listFileLabels()) if (f.model === 'selinux') paths.add(normalizePath(f.path));
    for (const p of [...paths].sort()) {
      if (fs.has(p)) continue;
      const created = this.store.getMeta(`${CLASS_KEY}${p}`);
      const tclass: ObjectClass =
        created !== undefined && (OBJECT_CLASSES as readonly string[]).includes(created)
          ? (created as ObjectClass)
          : block.get(p) === true || p.startsWith('/dev/')
            ? 'blk_file'
            : 'file';
      fs.add(p, tclass, this.currentLabel(p), dirLabel);
    }
    this.fs = fs;

    const procs = new ProcessTable();
    procs.add({ pid: PID_INIT, comm: 'systemd', cmd: '/usr/lib/systemd/systemd', cpuSeconds: 3, label: INIT_CONTEXT });
    procs.add({ pid: PID_DAEMON, comm: 'virtqemud', cmd: '/usr/sbin/virtqemud', cpuSeconds: 1, label: this.daemonContext });
    procs.add({ pid: PID_ADMIN, comm: 'bash', cmd: '-bash', tty: 'pts/0', cpuSeconds: 0, label: this.adminContext });
    for (const g of guests) {
      if (g.state !== 'running' || g.pid === undefined) continue;
      const exe = qemuBinary(g.def.virtType);
      procs.add({ pid: g.pid, comm: commOf(exe), cmd: `${exe} -name guest=${g.def.name}`, cpuSeconds: 0, label: guestProcessLabel(g, this.daemonContext), guest: g.def.name });
    }
    this.procs = procs;
  }

  /** the current SELinux label of a path: stored, else its policy default, else unlabeled (manager.initialLabel) */
  currentLabel(path: string): string {
    return this.manager.fileLabel(normalizePath(path), 'selinux');
  }

  // ---- guests (delegated to the label manager) --------------------------------------------------

  define(input: Parameters<LabelManager['define']>[0], file?: string): GuestRecord {
    const rec = this.manager.define(input, file);
    this.refresh();
    return rec;
  }

  /** Start a guest (`launch`); a refused exec is an E_LABEL error (kind exec-denied). */
  start(name: string): GuestRecord {
    const r = this.launch(name);
    if (!r.allowed) {
      const last = r.steps[r.steps.length - 1]!;
      throw guestError(
        'exec-denied',
        name,
        `guest ${quoteInput(name)}: cannot execute ${r.exe} as ${r.to}: Permission denied (${last.tclass} { ${last.perms.join(' ')} } ${last.scontext} -> ${last.tcontext})`,
      );
    }
    return r.record;
  }

  /**
   * Start a guest as libvirt does (see the header): label, then virtqemud's child executes QEMU
   * into the guest's domain. A refused exec stops the guest again (images restored, labels
   * released) and returns allowed=false with the AVC records it wrote.
   */
  launch(name: string): LaunchResult {
    const rec = this.manager.start(name);
    const before = this.lastSerial();
    const exe = qemuBinary(rec.def.virtType);
    this.refresh();
    // the forked child of virtqemud: the guest's pid, still the daemon's domain and comm
    const child: HostProcess = { pid: rec.pid!, comm: commOf('/usr/sbin/virtqemud'), cmd: '/usr/sbin/virtqemud', cpuSeconds: 0, label: this.daemonContext };
    const binary = this.fs.get(exe)!;
    const execLabel = rec.live.find((l) => l.model === 'selinux')?.label;
    let to: string;
    let result: HookResult;
    if (execLabel !== undefined) {
      to = execLabel;
      result = this.objects.exec(child, binary, to, true, commOf(exe));
    } else {
      // no exec context: the policy's type_transition on the binary decides (K security_transition_sid)
      const answer = this.server.computeNewLabel('create', this.server.contextToSid(child.label), this.server.contextToSid(binary.label), this.server.classValue('process'));
      to = answer.context ?? child.label;
      result = answer.granted ? this.objects.exec(child, binary, to, false, commOf(exe)) : { allowed: false, steps: [], errno: 'EACCES' };
    }
    let record = rec;
    if (!result.allowed) {
      // libvirt qemuProcessStart failure → qemuProcessStop: restore and release what start took
      record = this.manager.destroy(name).record;
    }
    this.refresh();
    return { ...result, record, exe, from: child.label, to, setexec: execLabel !== undefined, audit: this.audit.lines(before) };
  }

  /**
   * A running guest's QEMU process creates `path` (class `tclass`, default file) in an existing
   * directory: the label is the kernel's (computeNewLabel 'create' from the process and the
   * directory, with the file name for name-based rules), then may_create's checks decide. The
   * object is kept in the store (label and class) and outlives the guest, like a file in /tmp.
   */
  create(guest: string, path: string, tclass: ObjectClass = 'file'): CreateResult {
    const proc = this.runningProcess(guest);
    const p = normalizePath(path);
    if (this.fs.has(p)) throw usageError(`cannot create ${quoteInput(p)}: File exists`);
    const dir = this.fs.get(parentPath(p) ?? '/');
    if (dir === undefined || dir.tclass !== 'dir') throw usageError(`cannot create ${quoteInput(p)}: No such file or directory`);
    const name = p.slice(p.lastIndexOf('/') + 1);
    const answer = this.server.computeNewLabel('create', this.server.contextToSid(proc.label), this.server.contextToSid(dir.label), this.server.classValue(tclass), name);
    const before = this.lastSerial();
    if (!answer.granted || answer.context === undefined) {
      return { allowed: false, steps: [], errno: 'EACCES', path: p, tclass, label: answer.context ?? '', audit: [] };
    }
    const label = answer.context;
    const result = this.objects.create(proc, dir, p, tclass, label);
    if (result.allowed) {
      this.store.transaction(() => {
        this.store.setFileLabel(p, 'selinux', label);
        this.store.setMeta(`${CLASS_KEY}${p}`, tclass);
      });
      this.refresh();
    }
    return { ...result, path: p, tclass, label, audit: this.audit.lines(before) };
  }

  stop(name: string): GuestRecord {
    const rec = this.manager.stop(name);
    this.refresh();
    return rec;
  }

  destroy(name: string): { record: GuestRecord; warnings: string[] } {
    const result = this.manager.destroy(name);
    this.refresh();
    return result;
  }

  // ---- views ----------------------------------------------------------------------------------

  /** `ps -eZ` */
  ps(): string[] {
    return formatPsEZ(this.procs.all(), this.display);
  }

  /** `ls -Z PATH`: a directory lists its entries, anything else prints itself */
  ls(path: string): string[] {
    const obj = this.mustGet(path);
    if (obj.tclass === 'dir') {
      const entries = this.fs.children(obj.path).map((o) => ({ name: o.path.slice(o.path.lastIndexOf('/') + 1), object: o }));
      return formatLsZ(entries, this.display);
    }
    return formatLsZ([{ name: path, object: obj }], this.display);
  }

  // ---- operations -----------------------------------------------------------------------------

  /**
   * `chcon CONTEXT PATH` by the admin shell (or `proc`): the new context may be written with
   * setrans names; it is validated against the policy (exit-2 errors), then relabelfrom/relabelto
   * are checked; on success the label is stored.
   */
  chcon(context: string, path: string, proc: HostProcess = this.procs.get(PID_ADMIN)!): ChconResult {
    const obj = this.mustGet(path);
    const raw = this.setrans ? this.setrans.toRaw(context) : context;
    const to = this.manager.checker.context(raw, 'chcon');
    const from = obj.label;
    const before = this.lastSerial();
    const result = this.objects.relabel(proc, obj, to);
    if (result.allowed) {
      this.store.setFileLabel(obj.path, 'selinux', to);
      obj.label = to;
    }
    return { ...result, path: obj.path, from, to, audit: this.audit.lines(before) };
  }

  /**
   * A running guest's QEMU process tries `perm` on `target` (a path, or for process permissions
   * a guest name or pid).
   */
  attack(guest: string, target: string, perm: AttackPerm = 'read'): AttackResult {
    const attacker = this.runningProcess(guest);
    const before = this.lastSerial();
    let result: HookResult;
    if (PROCESS_PERMS.has(perm)) {
      const victim = this.findProcess(target);
      result = perm === 'ptrace' ? this.objects.ptrace(attacker, victim) : this.objects.signal(attacker, victim, signalOf(perm));
    } else {
      const obj = this.mustGet(target);
      result = this.fileOperation(attacker, obj, perm);
    }
    return { ...result, attacker, audit: this.audit.lines(before) };
  }

  private fileOperation(proc: HostProcess, obj: HostObject, perm: AttackPerm): HookResult {
    const m = this.objects;
    switch (perm) {
      case 'read':
        return m.read(proc, obj);
      case 'write':
        return m.write(proc, obj);
      case 'append':
        return m.write(proc, obj, true);
      case 'open':
        return m.open(proc, obj, { read: true, write: true });
      case 'getattr':
        return m.getattr(proc, obj);
      case 'setattr':
        return m.setattr(proc, obj);
      case 'ioctl':
        return m.ioctl(proc, obj);
      case 'lock':
        return m.lock(proc, obj);
      case 'unlink': {
        const parent = this.fs.get(obj.path.slice(0, obj.path.lastIndexOf('/')) || '/')!;
        return m.unlink(proc, parent, obj);
      }
      case 'execute':
        return m.execute(proc, obj);
      case 'relabel':
        return m.relabel(proc, obj, proc.label.replace(/:system_r:[^:]+:/, ':object_r:svirt_image_t:'));
      default:
        throw usageError(`operation ${quoteInput(perm)} applies to processes, not to ${obj.path}`);
    }
  }

  /** the QEMU process of a running guest */
  private runningProcess(guest: string): HostProcess {
    const rec = this.store.getGuest(guest);
    if (rec === undefined) throw guestError('unknown-guest', guest, `guest ${quoteInput(guest)} is not defined`);
    const proc = this.procs.byGuest(guest);
    if (rec.state !== 'running' || proc === undefined) throw guestError('not-running', guest, `guest ${quoteInput(guest)} is not running`);
    return proc;
  }

  private findProcess(target: string): HostProcess {
    if (/^\d+$/.test(target)) {
      const p = this.procs.get(Number(target));
      if (p === undefined) throw usageError(`no process with pid ${target}`);
      return p;
    }
    const p = this.procs.byGuest(target);
    if (p === undefined) throw usageError(`${quoteInput(target)} is neither a pid nor a running guest`);
    return p;
  }

  private mustGet(path: string): HostObject {
    const obj = this.fs.get(normalizePath(path));
    if (obj === undefined) throw usageError(`${quoteInput(path)}: No such file or directory`);
    return obj;
  }

  private lastSerial(): number {
    const all = this.audit.list();
    return all.length === 0 ? 0 : all[all.length - 1]!.serial;
  }

  /**
   * Stable inode number of a path (allocated once, persisted in the store's meta table). Called
   * inside `refresh`'s transaction, so a batch of new paths costs one commit. A read-only store
   * gets numbers above every persisted one, for this process only.
   */
  private inode(path: string): number {
    const key = `host.ino:${path}`;
    const known = this.store.getMeta(key);
    if (known !== undefined) return Number(known);
    if (this.store.readonly) {
      this.transientIno ??= Number(this.store.getMeta('host.ino.next') ?? '128');
      return this.transientIno++;
    }
    return this.store.transaction(() => {
      // re-read inside the write transaction: another process may have allocated it meanwhile
      const again = this.store.getMeta(key);
      if (again !== undefined) return Number(again);
      const next = Number(this.store.getMeta('host.ino.next') ?? '128');
      this.store.setMeta('host.ino.next', String(next + 1));
      this.store.setMeta(key, String(next));
      return next;
    });
  }

  private transientIno: number | undefined;
}

/** The SELinux label a running guest's process has (type none: the daemon's own). */
export function guestProcessLabel(g: GuestRecord, daemonContext = DAEMON_CONTEXT): string {
  return g.live.find((l) => l.model === 'selinux')?.label ?? daemonContext;
}

function signalOf(perm: AttackPerm): SignalName {
  switch (perm) {
    case 'sigkill':
      return 'SIGKILL';
    case 'sigstop':
      return 'SIGSTOP';
    default:
      return 'SIGTERM';
  }
}
