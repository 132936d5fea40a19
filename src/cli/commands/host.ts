/**
 * `svirt host …` — a simulated virtualisation host kept in a state file (SQLite):
 *
 *   svirt host define FILE.xml | --name N [--disk PATH]… [--readonly PATH]… [--shareable PATH]…
 *   svirt host start|stop|destroy GUEST  (start: virtqemud executes QEMU into the guest's label;
 *                                      a refused exec prints its AVC records, exit 1)
 *   svirt host create GUEST PATH [--class file|dir|sock_file|fifo_file|lnk_file]
 *                                      the guest's QEMU process creates PATH (label computed as
 *                                      the kernel does; exit 1 when denied)
 *   svirt host ps                      ps -eZ layout
 *   svirt host ls PATH                 ls -Z layout
 *   svirt host chcon CONTEXT PATH      relabel as the admin (relabelfrom/relabelto checked)
 *   svirt host audit                   AVC records, `type=AVC msg=audit(SEC.MSEC:SERIAL): …`
 *   svirt host attack GUEST TARGET [--perm read]   a guest's QEMU process tries an operation
 *
 * Common options: --state PATH (default: the platform state path), --policy FILE (text or binary;
 * default the embedded sVirt policy), --contexts DIR (the policy's contexts directory, e.g.
 * /etc/selinux/default/contexts: files/file_contexts and its companions give the default labels a
 * stop restores, virtual_domain_context / virtual_image_context the guests' base labels; default
 * the embedded policy's policies/contexts), --setrans FILE (display names), --json.
 * Exit codes: 0 ok, 1 denied (attack, chcon, create, a refused exec at start), 2 bad usage or input (unknown guest, second start,
 * malformed label, corrupt/locked/foreign state file); the state is unchanged after any error.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readTextInput } from '../../io/input.js';
import type { Command } from 'commander';
import { quoteInput, usageError } from '../../errors.js';
import { loadSetransFile } from '../../context/setrans.js';
import { LabelManager } from '../../label/manager.js';
import type { GuestInput, GuestRecord } from '../../label/guest-types.js';
import { createMemoryStore, defaultStatePath, openSqliteStore } from '../../label/store.js';
import { createSecurityServer } from '../../security/server.js';
import { ATTACK_PERMS, SimulatedHost, type AttackPerm } from '../../host/host.js';
import { OBJECT_CLASSES, type ObjectClass } from '../../host/objects.js';
import { loadFileContexts } from '../../labeling/load.js';
import { embeddedContextsDir, loadVirtualContexts } from '../../label/virt-contexts.js';
import type { CheckStep } from '../../host/hooks.js';
import type { CommandContext, RegisterCommand } from '../io.js';
import { loadPolicyOption } from '../policy-option.js';

export interface HostCliOptions {
  state?: string;
  policy?: string;
  contexts?: string;
  setrans?: string;
  json?: boolean;
}

/** Add --state/--policy/--setrans/--json to a host subcommand. */
export function addHostOptions(cmd: Command): Command {
  return cmd
    .option('--state <path>', 'state file of the simulated host (SQLite)')
    .option('--policy <file>', 'policy.conf text or binary policy.NN (default: the embedded sVirt policy)')
    .option('--contexts <dir>', "the policy's contexts directory: files/file_contexts (restore defaults) and virtual_domain_context / virtual_image_context (base labels); default: the embedded policy's")
    .option('--setrans <file>', 'setrans.conf: show and accept MCS levels by name')
    .option('--json', 'machine-readable output');
}

/**
 * Open the host described by the options, run `fn`, always close the state file. `access`
 * `read` (ps, ls, audit) opens the state file read-only, so a read-only file can be listed and
 * nothing is written; a missing state file then shows an empty host without creating one.
 */
export function withHost<T>(opts: HostCliOptions, fn: (host: SimulatedHost) => T, access: 'read' | 'write' = 'write'): T {
  const model = loadPolicyOption(opts.policy);
  const setrans = opts.setrans === undefined ? undefined : loadSetransFile(opts.setrans);
  const path = opts.state ?? defaultStatePath();
  const store = access === 'read' ? (existsSync(path) ? openSqliteStore(path, { readonly: true }) : createMemoryStore()) : openSqliteStore(path);
  try {
    const server = createSecurityServer(model);
    // an explicit contexts directory is validated against the policy as `setfiles -c` does; the
    // embedded one is checked per use (a default the policy does not know is refused at restore)
    const dir = opts.contexts ?? embeddedContextsDir();
    const fileContexts = loadFileContexts(join(dir, 'files'), opts.contexts !== undefined ? { policy: model } : {});
    const manager = new LabelManager({ store, policy: model, fileContexts, selinux: loadVirtualContexts(dir) });
    // re-reserving running guests' labels is only needed before a change
    if (access === 'write') manager.reconnect();
    const host = new SimulatedHost({ store, manager, server, ...(setrans ? { setrans } : {}) });
    return fn(host);
  } finally {
    store.close();
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function json(ctx: CommandContext, value: unknown): void {
  ctx.io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

function guestSummary(host: SimulatedHost, rec: GuestRecord): Record<string, unknown> {
  return {
    name: rec.def.name,
    uuid: rec.def.uuid,
    state: rec.state,
    ...(rec.pid !== undefined ? { pid: rec.pid } : {}),
    live: rec.live,
    files: rec.files.map((f) => ({ ...f, display: host.display(f.label) })),
  };
}

function describeStep(s: CheckStep): string {
  return `${s.tclass} { ${s.perms.join(' ')} } ${s.scontext} -> ${s.tcontext}${s.error ? ` (${s.error})` : ''}`;
}

interface DefineOptions extends HostCliOptions {
  name?: string;
  uuid?: string;
  disk: string[];
  readonly: string[];
  shareable: string[];
  seclabel?: string;
  label?: string;
}

export const registerHost: RegisterCommand = (program, ctx) => {
  const host = program.command('host').description('a simulated sVirt host: guests, labelled files, processes and the audit log');

  addHostOptions(
    host
      .command('define')
      .description('define a guest from libvirt domain XML, or from --name/--disk options')
      .argument('[file]', 'domain XML file')
      .option('--name <name>', 'guest name (instead of a domain XML file)')
      .option('--uuid <uuid>', 'guest uuid (default: derived)')
      .option('--disk <path>', 'a writable disk image (repeatable)', collect, [])
      .option('--readonly <path>', 'a read-only disk (repeatable)', collect, [])
      .option('--shareable <path>', 'a shareable disk (repeatable)', collect, [])
      .option('--seclabel <type>', 'dynamic (default), static or none')
      .option('--label <context>', 'the process label of a static seclabel'),
  ).action((file: string | undefined, opts: DefineOptions) => {
    if ((file === undefined) === (opts.name === undefined)) throw usageError('host define: give a domain XML file or --name, not both');
    withHost(opts, (h) => {
      let rec: GuestRecord;
      if (file !== undefined) {
        const xml = readTextInput(file, 'domainXml', 'domain XML');
        rec = h.define(xml, file);
      } else {
        const disks: NonNullable<GuestInput['disks']> = [
          ...opts.disk.map((source) => ({ source })),
          ...opts.readonly.map((source) => ({ source, readonly: true })),
          ...opts.shareable.map((source) => ({ source, shareable: true })),
        ];
        const type = opts.seclabel as 'dynamic' | 'static' | 'none' | undefined;
        if (type !== undefined && !['dynamic', 'static', 'none'].includes(type)) throw usageError(`--seclabel must be dynamic, static or none, not ${quoteInput(type)}`);
        const input: GuestInput = {
          name: opts.name!,
          ...(opts.uuid ? { uuid: opts.uuid } : {}),
          disks,
          ...(type || opts.label ? { seclabel: { ...(type ? { type } : {}), ...(opts.label ? { label: opts.label } : {}) } } : {}),
        };
        rec = h.define(input);
      }
      if (opts.json) json(ctx, guestSummary(h, rec));
      else ctx.io.stdout(`Domain '${rec.def.name}' defined${file !== undefined ? ` from ${file}` : ''}\n`);
    });
  });

  addHostOptions(host.command('start').description('start a guest: generate its labels and relabel its images').argument('<guest>')).action(
    (name: string, opts: HostCliOptions) => {
      withHost(opts, (h) => {
        const r = h.launch(name);
        const rec = r.record;
        const exec = { exe: r.exe, pid: rec.pid ?? null, from: r.from, to: r.to, setexec: r.setexec, allowed: r.allowed, steps: r.steps, audit: r.audit };
        if (!r.allowed) {
          if (opts.json) json(ctx, { ...guestSummary(h, rec), exec });
          else {
            for (const line of r.audit) ctx.io.stderr(`${line}\n`);
            const last = r.steps[r.steps.length - 1];
            ctx.io.stderr(`error: Failed to start domain '${name}': cannot execute ${r.exe} as ${h.display(r.to)}: Permission denied${last ? ` (${describeStep(last)})` : ''}\n`);
          }
          return ctx.exit(1);
        }
        if (opts.json) return json(ctx, { ...guestSummary(h, rec), exec });
        ctx.io.stdout(`Domain '${name}' started\n`);
        const how = r.setexec ? 'setexeccon' : 'type_transition';
        ctx.io.stdout(`Process: pid ${rec.pid} virtqemud (${h.display(r.from)}) ${how} + exec ${r.exe} -> ${h.display(r.to)}\n`);
        ctx.io.stdout(`Checks allowed: ${r.steps.map((s) => `${s.tclass} { ${s.perms.join(' ')} }`).join(', ')}\n`);
        for (const l of rec.live) {
          if (l.label === undefined) continue;
          const mode = l.model === 'selinux' ? (h.server.enforcing ? ' (enforcing)' : ' (permissive)') : '';
          ctx.io.stdout(`Security model: ${l.model}\nSecurity label: ${h.display(l.label)}${mode}\n`);
        }
      });
    },
  );

  addHostOptions(host.command('stop').description('shut a guest down: restore its images and release its labels').argument('<guest>')).action(
    (name: string, opts: HostCliOptions) => {
      withHost(opts, (h) => {
        const rec = h.stop(name);
        if (opts.json) json(ctx, guestSummary(h, rec));
        else ctx.io.stdout(`Domain '${name}' shut off\n`);
      });
    },
  );

  addHostOptions(host.command('destroy').description('force a guest off (restore problems become warnings)').argument('<guest>')).action(
    (name: string, opts: HostCliOptions) => {
      withHost(opts, (h) => {
        const { record, warnings } = h.destroy(name);
        for (const w of warnings) ctx.io.stderr(`warning: ${w}\n`);
        if (opts.json) json(ctx, { ...guestSummary(h, record), warnings });
        else ctx.io.stdout(`Domain '${name}' destroyed\n`);
      });
    },
  );

  addHostOptions(host.command('ps').description('processes with their labels (ps -eZ)')).action((opts: HostCliOptions) => {
    withHost(opts, (h) => {
      if (opts.json) {
        return json(
          ctx,
          h.procs.all().map((p) => ({ pid: p.pid, comm: p.comm, tty: p.tty ?? null, label: p.label, display: h.display(p.label), guest: p.guest ?? null })),
        );
      }
      for (const line of h.ps()) ctx.io.stdout(`${line}\n`);
    }, 'read');
  });

  addHostOptions(host.command('ls').description('files with their labels (ls -Z)').argument('<path>')).action((path: string, opts: HostCliOptions) => {
    withHost(opts, (h) => {
      if (opts.json) {
        const obj = h.fs.get(path);
        if (obj === undefined) throw usageError(`${quoteInput(path)}: No such file or directory`);
        const list = obj.tclass === 'dir' ? h.fs.children(obj.path) : [obj];
        return json(
          ctx,
          list.map((o) => ({ path: o.path, class: o.tclass, dev: o.dev, ino: o.ino, label: o.label, display: h.display(o.label) })),
        );
      }
      for (const line of h.ls(path)) ctx.io.stdout(`${line}\n`);
    }, 'read');
  });

  addHostOptions(host.command('chcon').description('change a file label as the admin (unconfined_t)').argument('<context>').argument('<path>')).action(
    (context: string, path: string, opts: HostCliOptions) => {
      withHost(opts, (h) => {
        const r = h.chcon(context, path);
        if (opts.json) json(ctx, { allowed: r.allowed, path: r.path, from: r.from, to: r.to, steps: r.steps, audit: r.audit });
        if (!r.allowed) {
          if (!opts.json) {
            ctx.io.stderr(`chcon: failed to change context of '${path}' to '${context}': Permission denied\n`);
            for (const line of r.audit) ctx.io.stderr(`${line}\n`);
            const last = r.steps[r.steps.length - 1];
            if (last && r.audit.length === 0) ctx.io.stderr(`denied: ${describeStep(last)}\n`);
          }
          ctx.exit(1);
        }
      });
    },
  );

  addHostOptions(
    host
      .command('create')
      .description("make a running guest's QEMU process create a file (its label computed as the kernel does)")
      .argument('<guest>')
      .argument('<path>')
      .option('--class <class>', `object class: ${OBJECT_CLASSES.join(', ')}`, 'file'),
  ).action((guest: string, path: string, opts: HostCliOptions & { class: string }) => {
    if (!(OBJECT_CLASSES as readonly string[]).includes(opts.class)) throw usageError(`--class must be one of ${OBJECT_CLASSES.join(', ')}; got ${quoteInput(opts.class)}`);
    withHost(opts, (h) => {
      const r = h.create(guest, path, opts.class as ObjectClass);
      if (opts.json) json(ctx, { allowed: r.allowed, path: r.path, class: r.tclass, label: r.label, steps: r.steps, audit: r.audit });
      else {
        ctx.io.stdout(`${r.path} (${r.tclass}) ${h.display(r.label)}: ${r.allowed ? 'created' : 'Permission denied'}\n`);
        for (const line of r.audit) ctx.io.stdout(`${line}\n`);
        const last = r.steps[r.steps.length - 1];
        if (!r.allowed && last && r.audit.length === 0) ctx.io.stdout(`denied without an audit record (dontaudit): ${describeStep(last)}\n`);
      }
      if (!r.allowed) ctx.exit(1);
    });
  });

  addHostOptions(host.command('audit').description('AVC records of the simulated host (ausearch -m avc --raw)')).action((opts: HostCliOptions) => {
    withHost(opts, (h) => {
      if (opts.json) return json(ctx, h.audit.list());
      for (const line of h.audit.lines()) ctx.io.stdout(`${line}\n`);
    }, 'read');
  });

  addHostOptions(
    host
      .command('attack')
      .description("make a guest's QEMU process try an operation on a file (or, for signal/ptrace, a process)")
      .argument('<guest>')
      .argument('<target>', 'a path; for signal/sigkill/sigstop/ptrace a guest name or pid')
      .option('--perm <perm>', `operation: ${ATTACK_PERMS.join(', ')}`, 'read'),
  ).action((guest: string, target: string, opts: HostCliOptions & { perm: string }) => {
    if (!(ATTACK_PERMS as readonly string[]).includes(opts.perm)) throw usageError(`--perm must be one of ${ATTACK_PERMS.join(', ')}; got ${quoteInput(opts.perm)}`);
    withHost(opts, (h) => {
      const r = h.attack(guest, target, opts.perm as AttackPerm);
      if (opts.json) {
        json(ctx, { allowed: r.allowed, attacker: { pid: r.attacker.pid, comm: r.attacker.comm, label: r.attacker.label }, steps: r.steps, audit: r.audit });
      } else {
        const who = `${r.attacker.comm}[${r.attacker.pid}] (${h.display(r.attacker.label)})`;
        ctx.io.stdout(`${who} ${opts.perm} ${target}: ${r.allowed ? 'allowed' : 'Permission denied'}\n`);
        for (const line of r.audit) ctx.io.stdout(`${line}\n`);
        const last = r.steps[r.steps.length - 1];
        if (!r.allowed && last && r.audit.length === 0) ctx.io.stdout(`denied without an audit record (dontaudit): ${describeStep(last)}\n`);
      }
      if (!r.allowed) ctx.exit(1);
    });
  });
};
