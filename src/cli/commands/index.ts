/** The command list: one module per command (or command group). */
import type { RegisterCommand } from '../io.js';
import { registerCheck } from './check.js';
import { registerComputeAv } from './compute-av.js';
import { registerContext } from './context.js';
import { registerHost } from './host.js';
import { registerTrans } from './trans.js';
import { registerChcat } from './chcat.js';
import { registerStress } from './stress.js';
import { registerBench } from './bench.js';
import { registerComputeCreate } from './compute-create.js';
import { registerMatchpathcon } from './matchpathcon.js';

export const commands: readonly RegisterCommand[] = [
  registerComputeAv,
  registerCheck,
  registerContext,
  registerHost,
  registerTrans,
  registerChcat,
  registerStress,
  registerBench,
  registerComputeCreate,
  registerMatchpathcon,
];
