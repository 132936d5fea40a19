/**
 * `svirt context [--policy FILE] CONTEXT...` — the kernel-canonical form of each context,
 * or its error (with the offending part and offset) on stderr. Exit 2 when any is invalid.
 */
import { ContextError } from '../../errors.js';
import { formatContext, parseContext } from '../../context/context.js';
import { buildSymbolIndex } from '../../policy/model.js';
import type { RegisterCommand } from '../io.js';
import { errorLine } from '../messages.js';
import { addPolicyOptions, loadPolicyOption, type PolicyOptions } from '../policy-option.js';

export const registerContext: RegisterCommand = (program, ctx) => {
  const cmd = program
    .command('context')
    .description('validate contexts and print them in canonical form (as libsepol prints them)')
    .argument('<contexts...>', 'security contexts, e.g. system_u:system_r:svirt_t:s0:c5,c1');
  addPolicyOptions(cmd, false).action((contexts: string[], opts: PolicyOptions) => {
    const model = loadPolicyOption(opts.policy);
    const index = buildSymbolIndex(model);
    for (const text of contexts) {
      try {
        ctx.io.stdout(`${formatContext(model, parseContext(model, index, text))}\n`);
      } catch (err) {
        if (!(err instanceof ContextError)) throw err;
        ctx.io.stderr(`svirt: ${errorLine(err)}\n`);
        ctx.exit(2);
      }
    }
  });
};
