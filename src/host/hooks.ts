/**
 * Object managers: every operation a process attempts on the simulated host asks the security
 * server through `hasPerm` (AVC check + audit), as the kernel's LSM hooks do
 * (K `security/selinux/hooks.c`). Each operation maps to the class and permissions the kernel uses:
 *
 * | operation | checks, in kernel order (the first denial ends the operation, errno EACCES) |
 * |---|---|
 * | open(flags) | object: `open` + `read`/`write`/`append` per flags (`selinux_file_open`, `open_file_to_av`; `open` only when the class defines it, i.e. policycap open_perms) |
 * | read / write / append | object: `read` / `write` / `append` (`selinux_file_permission`) |
 * | getattr / setattr | object: `getattr` / `setattr` (`selinux_inode_getattr/setattr`) |
 * | ioctl / lock | object: `ioctl` / `lock` (`selinux_file_ioctl/lock`) |
 * | unlink | parent dir: `write search` (VFS `may_delete` → `inode_permission`); parent dir: `search remove_name` (`may_link`); object: `unlink` |
 * | execute | file: `execute`; then with no domain change `execute_no_trans`, else process `transition` (old → new) and file `entrypoint` (new → file) (`selinux_bprm_creds_for_exec`) |
 * | exec (a guest's birth) | with an exec context: process `setexec` on itself (`selinux_setprocattr`); file: `execute` (`may_open` MAY_EXEC → `selinux_inode_permission`); file: `read open` (`selinux_file_open`); same domain: `execute_no_trans`, else process `transition` (old → new) and file `entrypoint` (new → file) (`selinux_bprm_creds_for_exec`); then as the new domain, the loader mapping the text segment: file `map` and `read execute` (`selinux_mmap_file`, `file_map_prot_check`) |
 * | create | parent dir: `write search` (`inode_permission`); parent dir: `search add_name`; new label: class `create`; new label → filesystem: `associate` (`may_create`) |
 * | relabel (chcon) | object: `relabelfrom` (old label); object class: `relabelto` (new label); new label → filesystem: `associate` (`selinux_inode_setxattr`) |
 * | signal / ptrace | process: `sigkill` / `sigstop` / `sigchld` / `signal`, or `ptrace` (`selinux_task_kill`, `selinux_ptrace_access_check`) |
 *
 * The MCS rules (`h1 dom h2`, and `l2 eq h2` for create/relabelto) are the policy's mlsconstrain
 * statements, so they are enforced by compute_av like every other constraint.
 * Path-walk `search` checks on every ancestor directory are not simulated (only the parent's,
 * where the kernel's may_create/may_link check it explicitly).
 * Fail closed: a class or permission the policy does not define is a denial (no audit record:
 * the kernel would not have such an object at all).
 */
import type { AuditData, SecurityServer } from '../types.js';
import { SvirtError } from '../errors.js';
import type { HostObject, ObjectClass } from './objects.js';
import type { HostProcess } from './processes.js';

/** One access check an operation made. */
export interface CheckStep {
  readonly tclass: string;
  readonly perms: readonly string[];
  readonly scontext: string;
  readonly tcontext: string;
  readonly allowed: boolean;
  /** why a check could not be made at all (unknown class/permission/context): a denial */
  readonly error?: string;
}

export interface HookResult {
  readonly allowed: boolean;
  /** checks made, in order; the last one is the denial when `allowed` is false */
  readonly steps: readonly CheckStep[];
  /** errno the syscall would return */
  readonly errno?: 'EACCES';
}

export interface OpenFlags {
  read?: boolean;
  write?: boolean;
  /** O_APPEND: write access is checked as `append` */
  append?: boolean;
}

/** Signals with their own permission in class process (K `signal_to_av`). */
export type SignalName = 'SIGKILL' | 'SIGSTOP' | 'SIGCHLD' | 'SIGTERM' | 'SIGHUP' | 'SIGUSR1' | 'SIGUSR2' | 'SIGINT';

export function signalPerm(sig: SignalName): string {
  switch (sig) {
    case 'SIGKILL':
      return 'sigkill';
    case 'SIGSTOP':
      return 'sigstop';
    case 'SIGCHLD':
      return 'sigchld';
    default:
      return 'signal';
  }
}

export interface ObjectManagerOptions {
  /** label of the filesystem (superblock) objects live on, for `filesystem associate` */
  fsLabel?: (obj: { path: string; dev: string }) => string;
}

interface Check {
  readonly scontext: string;
  readonly tcontext: string;
  readonly tclass: string;
  readonly perms: readonly string[];
  readonly data: AuditData;
}

export class ObjectManager {
  constructor(
    readonly server: SecurityServer,
    private readonly options: ObjectManagerOptions = {},
  ) {}

  open(proc: HostProcess, obj: HostObject, flags: OpenFlags): HookResult {
    const perms: string[] = [];
    if (flags.read) perms.push('read');
    if (flags.write) perms.push(flags.append ? 'append' : 'write');
    if (this.classHas(obj.tclass, 'open')) perms.push('open');
    return this.run([this.onObject(proc, obj, perms)]);
  }

  read(proc: HostProcess, obj: HostObject): HookResult {
    return this.run([this.onObject(proc, obj, ['read'])]);
  }

  write(proc: HostProcess, obj: HostObject, append = false): HookResult {
    return this.run([this.onObject(proc, obj, [append ? 'append' : 'write'])]);
  }

  getattr(proc: HostProcess, obj: HostObject): HookResult {
    return this.run([this.onObject(proc, obj, ['getattr'])]);
  }

  setattr(proc: HostProcess, obj: HostObject): HookResult {
    return this.run([this.onObject(proc, obj, ['setattr'])]);
  }

  ioctl(proc: HostProcess, obj: HostObject): HookResult {
    return this.run([this.onObject(proc, obj, ['ioctl'])]);
  }

  lock(proc: HostProcess, obj: HostObject): HookResult {
    return this.run([this.onObject(proc, obj, ['lock'])]);
  }

  unlink(proc: HostProcess, parent: HostObject, obj: HostObject): HookResult {
    const name = baseName(obj.path);
    const dentry: AuditData = { pid: proc.pid, comm: proc.comm, name, dev: obj.dev, ino: obj.ino };
    return this.run([
      this.onObject(proc, parent, ['write', 'search']),
      { scontext: proc.label, tcontext: parent.label, tclass: 'dir', perms: ['search', 'remove_name'], data: dentry },
      { scontext: proc.label, tcontext: obj.label, tclass: obj.tclass, perms: ['unlink'], data: dentry },
    ]);
  }

  /** exec `obj`; `newLabel` = the domain the process would run in (setexeccon / type transition) */
  execute(proc: HostProcess, obj: HostObject, newLabel?: string): HookResult {
    const checks: Check[] = [this.onObject(proc, obj, ['execute'])];
    if (newLabel === undefined || newLabel === proc.label) {
      checks.push(this.onObject(proc, obj, ['execute_no_trans']));
    } else {
      const task: AuditData = { pid: proc.pid, comm: proc.comm };
      checks.push({ scontext: proc.label, tcontext: newLabel, tclass: 'process', perms: ['transition'], data: task });
      checks.push({ scontext: newLabel, tcontext: obj.label, tclass: 'file', perms: ['entrypoint'], data: pathData(proc, obj) });
    }
    return this.run(checks);
  }

  /**
   * execve(2) of `obj` by `proc` into `newLabel` (see the table above). `setexec`: the new label
   * was set with setexeccon (libvirt's SetProcessLabel), which the kernel checks as
   * `process { setexec }` when it is written. `newComm`: the task's comm after the exec
   * (begin_new_exec sets it before the loader maps the binary). Not simulated: the `fd { use }`
   * check of the binary opened by the old domain (class fd is outside the simulated classes) and
   * the no_new_privs / nosuid checks (libvirt sets neither on QEMU).
   */
  exec(proc: HostProcess, obj: HostObject, newLabel: string, setexec: boolean, newComm: string): HookResult {
    const file = pathData(proc, obj);
    const checks: Check[] = [];
    if (setexec) checks.push({ scontext: proc.label, tcontext: proc.label, tclass: 'process', perms: ['setexec'], data: { pid: proc.pid, comm: proc.comm } });
    checks.push(this.onObject(proc, obj, ['execute']));
    checks.push(this.onObject(proc, obj, this.classHas(obj.tclass, 'open') ? ['read', 'open'] : ['read']));
    if (newLabel === proc.label) {
      checks.push(this.onObject(proc, obj, ['execute_no_trans']));
    } else {
      // K selinux_bprm_creds_for_exec: audit data is the file (LSM_AUDIT_DATA_FILE) for both
      checks.push({ scontext: proc.label, tcontext: newLabel, tclass: 'process', perms: ['transition'], data: file });
      checks.push({ scontext: newLabel, tcontext: obj.label, tclass: obj.tclass, perms: ['entrypoint'], data: file });
    }
    const loaded: AuditData = { ...file, comm: newComm };
    if (this.classHas(obj.tclass, 'map')) checks.push({ scontext: newLabel, tcontext: obj.label, tclass: obj.tclass, perms: ['map'], data: loaded });
    checks.push({ scontext: newLabel, tcontext: obj.label, tclass: obj.tclass, perms: ['read', 'execute'], data: loaded });
    return this.run(checks);
  }

  /** create `path` of class `tclass` with label `newLabel` inside directory `parent` */
  create(proc: HostProcess, parent: HostObject, path: string, tclass: ObjectClass, newLabel: string): HookResult {
    const dentry: AuditData = { pid: proc.pid, comm: proc.comm, name: baseName(path), dev: parent.dev, ino: parent.ino };
    const checks: Check[] = [
      this.onObject(proc, parent, ['write', 'search']),
      { scontext: proc.label, tcontext: parent.label, tclass: 'dir', perms: ['search', 'add_name'], data: dentry },
      { scontext: proc.label, tcontext: newLabel, tclass, perms: ['create'], data: dentry },
    ];
    const fs = this.fsCheck(newLabel, { path, dev: parent.dev }, dentry);
    if (fs !== undefined) checks.push(fs);
    return this.run(checks);
  }

  /** setxattr security.selinux (chcon): relabelfrom the old label, relabelto the new one */
  relabel(proc: HostProcess, obj: HostObject, newLabel: string): HookResult {
    const dentry: AuditData = { pid: proc.pid, comm: proc.comm, name: baseName(obj.path), dev: obj.dev, ino: obj.ino };
    const checks: Check[] = [
      { scontext: proc.label, tcontext: obj.label, tclass: obj.tclass, perms: ['relabelfrom'], data: dentry },
      { scontext: proc.label, tcontext: newLabel, tclass: obj.tclass, perms: ['relabelto'], data: dentry },
    ];
    const fs = this.fsCheck(newLabel, obj, dentry);
    if (fs !== undefined) checks.push(fs);
    return this.run(checks);
  }

  signal(proc: HostProcess, target: HostProcess, sig: SignalName): HookResult {
    return this.run([{ scontext: proc.label, tcontext: target.label, tclass: 'process', perms: [signalPerm(sig)], data: { pid: proc.pid, comm: proc.comm } }]);
  }

  ptrace(proc: HostProcess, target: HostProcess): HookResult {
    return this.run([{ scontext: proc.label, tcontext: target.label, tclass: 'process', perms: ['ptrace'], data: { pid: proc.pid, comm: proc.comm } }]);
  }

  /** a permission check on an object by path (LSM_AUDIT_DATA_PATH: path, dev, ino) */
  private onObject(proc: HostProcess, obj: HostObject, perms: readonly string[]): Check {
    return { scontext: proc.label, tcontext: obj.label, tclass: obj.tclass, perms, data: pathData(proc, obj) };
  }

  private fsCheck(newLabel: string, obj: { path: string; dev: string }, data: AuditData): Check | undefined {
    const fsLabel = this.options.fsLabel?.(obj);
    if (fsLabel === undefined || !this.classHas('filesystem', 'associate')) return undefined;
    return { scontext: newLabel, tcontext: fsLabel, tclass: 'filesystem', perms: ['associate'], data };
  }

  private classHas(tclass: string, perm: string): boolean {
    const c = this.server.model.classes.find((k) => k.name === tclass);
    return c !== undefined && c.perms.includes(perm);
  }

  /** run checks in order; stop at the first denial (the syscall fails there) */
  private run(checks: readonly Check[]): HookResult {
    const steps: CheckStep[] = [];
    for (const c of checks) {
      const step = this.check(c);
      steps.push(step);
      if (!step.allowed) return { allowed: false, steps, errno: 'EACCES' };
    }
    return { allowed: true, steps };
  }

  private check(c: Check): CheckStep {
    const base = { tclass: c.tclass, perms: c.perms, scontext: c.scontext, tcontext: c.tcontext };
    if (c.perms.length === 0) return { ...base, allowed: true };
    try {
      const ssid = this.server.contextToSid(c.scontext);
      const tsid = this.server.contextToSid(c.tcontext);
      const tclass = this.server.classValue(c.tclass);
      const mask = this.server.permMask(tclass, c.perms);
      return { ...base, allowed: this.server.hasPerm(ssid, tsid, tclass, mask, c.data) };
    } catch (err) {
      if (!(err instanceof SvirtError)) throw err;
      return { ...base, allowed: false, error: err.message };
    }
  }
}

function pathData(proc: HostProcess, obj: HostObject): AuditData {
  return { pid: proc.pid, comm: proc.comm, path: obj.path, dev: obj.dev, ino: obj.ino };
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
