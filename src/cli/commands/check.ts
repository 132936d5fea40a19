/**
 * `svirt check [--policy FILE] [--bool NAME=VALUE]... SCONTEXT TCONTEXT CLASS PERM...`
 * One decision with its reason in words (audit2why, sharper). Exit 0 allowed, 1 denied, 2 bad input.
 *
 * The verdict comes from the Wasm security server; the words come from the plain-TS explainer.
 * If the two ever disagree the command fails closed (exit 2) instead of printing a wrong reason.
 */
import { quoteInput, SvirtError, usageError } from '../../errors.js';
import { parseContext } from '../../context/context.js';
import { buildSymbolIndex } from '../../policy/model.js';
import { explainAccess } from '../../security/explain.js';
import { createSecurityServer } from '../../security/server.js';
import type { RegisterCommand } from '../io.js';
import { addPolicyOptions, loadPolicyOption, parseBoolAssignments, type PolicyOptions } from '../policy-option.js';

export const registerCheck: RegisterCommand = (program, ctx) => {
  const cmd = program
    .command('check')
    .description('decide one access and say why it is allowed or denied')
    .argument('<scontext>', 'source (subject) context')
    .argument('<tcontext>', 'target (object) context')
    .argument('<class>', 'object class, e.g. file')
    .argument('<perms...>', 'permissions, e.g. read write');
  addPolicyOptions(cmd).action((scontext: string, tcontext: string, className: string, perms: string[], opts: PolicyOptions) => {
    const model = loadPolicyOption(opts.policy);
    const server = createSecurityServer(model, { booleans: parseBoolAssignments(opts.bool) });
    const ssid = server.contextToSid(scontext);
    const tsid = server.contextToSid(tcontext);
    const tclass = server.classValue(className);
    const requested = server.permMask(tclass, permissionNames(perms));
    const decision = server.computeAvReason(ssid, tsid, tclass, requested);
    const granted = (decision.allowed & requested) === requested;

    const index = buildSymbolIndex(model);
    const boolStates = model.bools.map((b) => server.getBoolean(b.name));
    const explanation = explainAccess(
      model,
      parseContext(model, index, scontext),
      parseContext(model, index, tcontext),
      tclass,
      requested,
      boolStates,
    );
    if (explanation.allowed !== granted) {
      throw new SvirtError('E_WASM', 'internal disagreement between the Wasm engine and the reference explainer; treating as denied');
    }
    ctx.io.stdout(`${explanation.lines.join('\n')}\n`);
    ctx.exit(granted ? 0 : 1);
  });
};

/**
 * PERM arguments → permission names (each argument may hold several, comma-separated). An empty
 * name (`''`, `read,`, `,`) is a usage error: an empty request asks for nothing and must never read
 * as "allowed"; unknown names are refused by permMask (E_UNKNOWN_PERM).
 */
export function permissionNames(args: readonly string[]): string[] {
  const names = args.flatMap((p) => p.split(','));
  if (names.length === 0 || names.some((p) => p === '')) {
    throw usageError(`check: empty permission name in ${quoteInput(args.join(' '))}: name one or more permissions, e.g. read`);
  }
  return names;
}
