/**
 * The machine a benchmark ran on. Printed with every report and stored in JSON results and
 * baselines, so absolute times are never read without knowing where they came from.
 */
import { availableParallelism, cpus, platform, arch, totalmem, release } from 'node:os';

export interface MachineInfo {
  /** CPU model string as the OS reports it (first logical CPU) */
  readonly cpu: string;
  /** logical CPUs available to this process */
  readonly cores: number;
  /** `process.version`, e.g. v20.19.0 */
  readonly node: string;
  readonly v8: string;
  /** e.g. linux 6.8.0 x64 */
  readonly os: string;
  /** total memory in GiB, one decimal */
  readonly memoryGiB: number;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpu: (list[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim(),
    cores: availableParallelism(),
    node: process.version,
    v8: process.versions.v8,
    os: `${platform()} ${release()} ${arch()}`,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  };
}

/** One line: `CPU model, N cores, Node vX (V8 y), os`. */
export function formatMachine(m: MachineInfo): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node} (V8 ${m.v8}), ${m.os}`;
}
