/**
 * `svirt chcat -L [--setrans FILE]` — list the category names of setrans.conf as `chcat -L` does
 * (`%-30s %s` per `raw=name` line; the file itself, Include= not followed).
 *
 * `svirt chcat [-d] CATEGORIES PATH... --state FILE` — change the categories of files on the simulated
 * host as chcat does (`+Name`/`-Name` add/remove, `Name,…` replace, `-d` back to s0), through the
 * same relabel checks as `svirt host chcon`. Exit 1 when a relabel is denied.
 */
import { readTextInput } from '../../io/input.js';
import { quoteInput, usageError } from '../../errors.js';
import { chcatApply, chcatList, parseChcatSpec, type ChcatSpec } from '../../context/chcat.js';
import type { RegisterCommand } from '../io.js';
import { addHostOptions, withHost, type HostCliOptions } from './host.js';
import { defaultSetransPath } from './trans.js';

export const registerChcat: RegisterCommand = (program, ctx) => {
  const cmd = program
    .command('chcat')
    .description('list MCS category names (-L), or change the categories of files on the simulated host')
    .argument('[args...]', 'CATEGORIES PATH... (use -- before a -Name removal)')
    .option('-L, --list', 'list the translations in setrans.conf')
    .option('-d, --delete', 'remove every category (level s0)');
  addHostOptions(cmd).action((args: string[], opts: HostCliOptions & { list?: boolean; delete?: boolean }) => {
    if (opts.list) {
      if (args.length > 0) throw usageError('chcat -L takes no arguments');
      const file = opts.setrans ?? defaultSetransPath();
      const text = readTextInput(file, 'setrans', 'setrans.conf');
      for (const line of chcatList(text, file)) ctx.io.stdout(`${line}\n`);
      return;
    }
    let spec: ChcatSpec;
    let paths: string[];
    if (opts.delete) {
      spec = { kind: 'replace', names: ['s0'] };
      paths = args;
    } else {
      if (args.length < 2) throw usageError('usage: svirt chcat [[+|-]CATEGORY],...] PATH...  (or -d PATH..., or -L)');
      spec = parseChcatSpec(args[0]!);
      paths = args.slice(1);
    }
    if (paths.length === 0) throw usageError('chcat: no files given');
    withHost(opts, (h) => {
      for (const path of paths) {
        const obj = h.fs.get(path);
        if (obj === undefined) throw usageError(`${quoteInput(path)}: No such file or directory`);
        const parts = obj.label.split(':');
        const range = parts.slice(3).join(':');
        const outcome = chcatApply(spec, path, range, h.setrans);
        for (const m of outcome.messages) ctx.io.stdout(`${m}\n`);
        if (outcome.level === undefined) continue;
        const context = `${parts.slice(0, 3).join(':')}:${outcome.level}`;
        const r = h.chcon(context, path);
        if (!r.allowed) {
          ctx.io.stderr(`chcon: failed to change context of '${path}' to '${context}': Permission denied\n`);
          for (const line of r.audit) ctx.io.stderr(`${line}\n`);
          ctx.exit(1);
        }
      }
    });
  });
};
