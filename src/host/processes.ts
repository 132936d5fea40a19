/**
 * Processes of the simulated host: pid, command name (`comm`, at most 15 bytes as in the kernel's
 * TASK_COMM_LEN 16), full command line, controlling tty and SELinux label.
 */
export interface HostProcess {
  readonly pid: number;
  /** kernel `comm`: the executable's base name truncated to 15 bytes */
  readonly comm: string;
  /** `ps` CMD column (procps prints comm for `-e` without `-f`) */
  readonly cmd: string;
  /** controlling tty name (`pts/0`) or undefined for daemons (`?`) */
  readonly tty?: string;
  /** cumulative CPU time in seconds (ps TIME) */
  readonly cpuSeconds: number;
  /** current SELinux context (raw, canonical) */
  label: string;
  /** the guest this process runs, when it is a QEMU process */
  readonly guest?: string;
}

/** TASK_COMM_LEN - 1 */
export const COMM_MAX = 15;

export function commOf(executable: string): string {
  const base = executable.slice(executable.lastIndexOf('/') + 1);
  return base.slice(0, COMM_MAX);
}

export class ProcessTable {
  private readonly procs = new Map<number, HostProcess>();

  add(p: HostProcess): HostProcess {
    this.procs.set(p.pid, p);
    return p;
  }

  get(pid: number): HostProcess | undefined {
    return this.procs.get(pid);
  }

  remove(pid: number): boolean {
    return this.procs.delete(pid);
  }

  byGuest(guest: string): HostProcess | undefined {
    for (const p of this.procs.values()) if (p.guest === guest) return p;
    return undefined;
  }

  /** every process, ascending pid (ps -e order) */
  all(): HostProcess[] {
    return [...this.procs.values()].sort((a, b) => a.pid - b.pid);
  }
}
