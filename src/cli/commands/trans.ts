/**
 * `svirt trans [--setrans FILE] [--to-raw] CONTEXT...` — translate MCS levels the way mcstrans does
 * for libselinux: raw → human by default, human → raw with --to-raw. Arguments are full contexts
 * (`system_u:object_r:svirt_image_t:s0:c0`) or bare ranges/names (`s0:c1`, `PatientRecord`).
 * Without --setrans the shipped example policies/setrans.conf is used.
 */
import { join } from 'node:path';
import { loadSetransFile } from '../../context/setrans.js';
import { packageRoot } from '../../policy/load.js';
import type { RegisterCommand } from '../io.js';

/** policies/setrans.conf of the installed package */
export function defaultSetransPath(): string {
  return join(packageRoot(), 'policies', 'setrans.conf');
}

export const registerTrans: RegisterCommand = (program, ctx) => {
  program
    .command('trans')
    .description('translate MCS levels between raw (s0:c0) and setrans.conf names (CompanyConfidential)')
    .argument('<contexts...>', 'contexts, ranges or names')
    .option('--setrans <file>', 'setrans.conf to use (default: policies/setrans.conf)')
    .option('--to-raw', 'translate names to raw levels')
    .action((contexts: string[], opts: { setrans?: string; toRaw?: boolean }) => {
      const table = loadSetransFile(opts.setrans ?? defaultSetransPath());
      for (const c of contexts) ctx.io.stdout(`${opts.toRaw ? table.toRaw(c) : table.toHuman(c)}\n`);
    });
};
