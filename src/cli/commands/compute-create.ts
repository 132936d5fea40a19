/**
 * `svirt compute-create SCON TCON CLASS [NAME]`, `svirt compute-member SCON TCON CLASS`,
 * `svirt compute-relabel SCON TCON CLASS`: the new context on one line, as libselinux-utils'
 * compute_create / compute_member / compute_relabel print it. `svirt validatetrans OLDCON NEWCON
 * TASKCON CLASS`: `allow` (exit 0) or `deny` (exit 1).
 *
 * `--batch [FILE|-]` answers one query a line instead (format: src/security/label-queries.ts);
 * exit 0 when every line was answered (ERR lines included).
 *
 * Exit status (single query): 0 answered / allowed; 1 the computed context is invalid (refused, as
 * an enforcing kernel refuses it) or the transition is denied; 2 bad usage or input (unknown
 * context, type or class: one line naming the argument and the offset in it).
 */
import type { Command } from 'commander';
import { readTextInput } from '../../io/input.js';
import { quoteInput, SvirtError, usageError } from '../../errors.js';
import type { NewLabelKind } from '../../security/compute-sid.js';
import { answerLabelBatch } from '../../security/label-queries.js';
import { createSecurityServer, type WasmSecurityServer } from '../../security/server.js';
import type { CommandContext, RegisterCommand } from '../io.js';
import { addPolicyOptions, loadPolicyOption, parseBoolAssignments, type PolicyOptions } from '../policy-option.js';

interface BatchOptions extends PolicyOptions {
  batch?: string | boolean;
}

const LABEL_COMMANDS: ReadonlyArray<{ name: string; kind: NewLabelKind; what: string }> = [
  { name: 'compute-create', kind: 'create', what: 'the context of a new object (type_transition, role_transition, range_transition; like compute_create)' },
  { name: 'compute-member', kind: 'member', what: 'the context of a member of a polyinstantiated object (type_member; like compute_member)' },
  { name: 'compute-relabel', kind: 'relabel', what: 'the context to relabel an object to (type_change; like compute_relabel)' },
];

function addBatchOption(cmd: Command): Command {
  return addPolicyOptions(cmd.option('--batch [file]', 'answer one query a line from FILE or - (standard input)'));
}

function serverFor(opts: PolicyOptions): WasmSecurityServer {
  return createSecurityServer(loadPolicyOption(opts.policy), { booleans: parseBoolAssignments(opts.bool) });
}

async function runBatch(ctx: CommandContext, opts: BatchOptions, kind: NewLabelKind | 'validatetrans', positional: readonly (string | undefined)[]): Promise<void> {
  if (positional.some((p) => p !== undefined)) throw usageError('--batch takes its queries from a file or standard input, not from arguments');
  const server = serverFor(opts);
  const file = typeof opts.batch === 'string' ? opts.batch : '-';
  const text = file === '-' ? await ctx.io.readStdin() : readTextInput(file, 'queries', 'query input');
  const lines = answerLabelBatch(server, kind, text);
  if (lines.length > 0) ctx.io.stdout(`${lines.join('\n')}\n`);
  ctx.exit(0);
}

/** Resolve one argument, reporting which one is bad (exit 2) instead of a bare context error. */
function resolve<T>(ctx: CommandContext, what: string, f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof SvirtError)) throw e;
    ctx.io.stderr(`svirt: ${what}: ${e.message}\n`);
    ctx.exit(2);
    return undefined;
  }
}

/** The class's value, or a one-line error (input quoted and bounded) and exit 2. */
function classArg(ctx: CommandContext, server: WasmSecurityServer, name: string): number | undefined {
  try {
    return server.classValue(name);
  } catch (e) {
    if (!(e instanceof SvirtError)) throw e;
    ctx.io.stderr(`svirt: class: unknown security class ${quoteInput(name)}\n`);
    ctx.exit(2);
    return undefined;
  }
}

function required(name: string, value: string | undefined, what: string): string {
  if (value === undefined) throw usageError(`${name}: missing ${what} (or use --batch)`);
  return value;
}

export const registerComputeCreate: RegisterCommand = (program, ctx) => {
  for (const spec of LABEL_COMMANDS) {
    const cmd = program
      .command(spec.name)
      .description(`print ${spec.what}`)
      .argument('[scontext]', 'source (creating process) context')
      .argument('[tcontext]', 'target (related object) context')
      .argument('[tclass]', 'class of the new object');
    if (spec.kind === 'create') cmd.argument('[name]', 'the new object\'s name, for file-name type_transition rules');
    addBatchOption(cmd).action(async (...args: unknown[]) => {
      const nPositional = spec.kind === 'create' ? 4 : 3;
      const positional = args.slice(0, nPositional) as Array<string | undefined>;
      const opts = args[nPositional] as BatchOptions;
      if (opts.batch !== undefined) return runBatch(ctx, opts, spec.kind, positional);
      const [s, t, c, name] = positional;
      const scon = required(spec.name, s, 'SCONTEXT');
      const tcon = required(spec.name, t, 'TCONTEXT');
      const cls = required(spec.name, c, 'TCLASS');
      const server = serverFor(opts);
      const ssid = resolve(ctx, 'source context', () => server.contextToSid(scon));
      if (ssid === undefined) return;
      const tsid = resolve(ctx, 'target context', () => server.contextToSid(tcon));
      if (tsid === undefined) return;
      const tclass = classArg(ctx, server, cls);
      if (tclass === undefined) return;
      const answer = server.computeNewLabel(spec.kind, ssid, tsid, tclass, name);
      if (answer.status === 'ok' && answer.context !== undefined) {
        ctx.io.stdout(`${answer.context}\n`);
        ctx.exit(0);
        return;
      }
      const why = answer.status === 'invalid' ? `the computed context ${answer.context ?? ''} is not valid in the policy` : (answer.reason ?? 'no context');
      ctx.io.stderr(`svirt: ${spec.name}: refused: ${why}\n`);
      ctx.exit(1);
    });
  }

  const vt = program
    .command('validatetrans')
    .description('check a relabel against the class\'s validatetrans / mlsvalidatetrans constraints (allow: exit 0, deny: exit 1)')
    .argument('[oldcontext]', 'the object\'s current context')
    .argument('[newcontext]', 'the context it is relabelled to')
    .argument('[taskcontext]', 'the relabelling process\'s context')
    .argument('[tclass]', 'the object\'s class');
  addBatchOption(vt).action(async (o: string | undefined, n: string | undefined, t: string | undefined, c: string | undefined, opts: BatchOptions) => {
    if (opts.batch !== undefined) return runBatch(ctx, opts, 'validatetrans', [o, n, t, c]);
    const oldText = required('validatetrans', o, 'OLDCONTEXT');
    const newText = required('validatetrans', n, 'NEWCONTEXT');
    const taskText = required('validatetrans', t, 'TASKCONTEXT');
    const cls = required('validatetrans', c, 'TCLASS');
    const server = serverFor(opts);
    const oldsid = resolve(ctx, 'old context', () => server.contextToSid(oldText));
    if (oldsid === undefined) return;
    const newsid = resolve(ctx, 'new context', () => server.contextToSid(newText));
    if (newsid === undefined) return;
    const tasksid = resolve(ctx, 'task context', () => server.contextToSid(taskText));
    if (tasksid === undefined) return;
    const tclass = classArg(ctx, server, cls);
    if (tclass === undefined) return;
    const allowed = server.validateTransition(oldsid, newsid, tasksid, tclass);
    ctx.io.stdout(`${allowed ? 'allow' : 'deny'}\n`);
    ctx.exit(allowed ? 0 : 1);
  });
};
