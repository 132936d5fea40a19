/**
 * checkpolicy's checks on labeling statements (S checkpolicy/policy_define.c, 3.4): duplicates and
 * shadowed entries are errors, not silently merged or ignored, and Xen device contexts are refused
 * in an SELinux policy.
 *   fs_use_*      one entry per file system type, whatever the behaviour (define_fs_use)
 *   genfscon      one entry per (fstype, path) unless both name different file types; a file type
 *                 needs its class declared (define_genfs_context_helper)
 *   portcon       per protocol: an exact duplicate, or a range inside an earlier range, is an error
 *                 (define_port_context)
 *   netifcon      one entry per interface (define_netif_context)
 *   ibpkeycon     per subnet prefix: duplicate or hidden by an earlier range (define_ibpkey_context)
 *   ibendportcon  one entry per (device, port) (define_ibendport_context)
 *   pirqcon, iomemcon, ioportcon, pcidevicecon, devicetreecon: "not supported for target" (SELinux)
 *   nodecon       no duplicate check in checkpolicy: none here
 */
import type { LabelingStmt } from '../ast.js';
import type { CompileState } from './state.js';

/** genfscon file-type flag → the class checkpolicy looks up */
const GENFS_CLASS: Readonly<Record<string, string>> = {
  '-b': 'blk_file',
  '-c': 'chr_file',
  '-d': 'dir',
  '-p': 'fifo_file',
  '-l': 'lnk_file',
  '-s': 'sock_file',
  '--': 'file',
};

const XEN_ONLY = new Set(['pirqcon', 'iomemcon', 'ioportcon', 'pcidevicecon', 'devicetreecon']);

function range(text: string): [number, number] {
  const dash = text.indexOf('-');
  return dash < 0 ? [Number(text), Number(text)] : [Number(text.slice(0, dash)), Number(text.slice(dash + 1))];
}

export class LabelingChecker {
  private readonly fsUse = new Set<string>();
  private readonly netif = new Set<string>();
  private readonly ibendport = new Set<string>();
  /** fstype\0path → file types given (undefined = every file type) */
  private readonly genfs = new Map<string, Array<string | undefined>>();
  /** protocol or subnet prefix → ranges in order */
  private readonly ports = new Map<string, Array<[number, number]>>();
  private readonly pkeys = new Map<string, Array<[number, number]>>();

  constructor(private readonly st: CompileState) {}

  /** Returns false (after reporting) when checkpolicy would refuse the statement. */
  check(s: LabelingStmt): boolean {
    const a = s.args;
    switch (s.keyword) {
      case 'fs_use_xattr':
      case 'fs_use_task':
      case 'fs_use_trans':
        return this.unique(this.fsUse, a[0]!, s.pos, `duplicate fs_use entry for file system type '${a[0]}'`);
      case 'netifcon':
        return this.unique(this.netif, a[0]!, s.pos, `duplicate netifcon entry for network interface '${a[0]}'`);
      case 'ibendportcon':
        return this.unique(this.ibendport, `${a[0]}\0${a[1]}`, s.pos, `duplicate ibendportcon entry for ${a[0]} port ${a[1]}`);
      case 'genfscon':
        return this.genfscon(s);
      case 'portcon':
        return this.ranged(this.ports, a[0]!, a[1]!, s.pos, 'portcon', a[0]!);
      case 'ibpkeycon':
        return this.ranged(this.pkeys, a[0]!, a[1]!, s.pos, 'ibpkeycon', `subnet ${a[0]}`);
      default:
        if (XEN_ONLY.has(s.keyword)) {
          this.st.error(s.pos, `'${s.keyword}' is for Xen policies; it is not supported in an SELinux policy`);
          return false;
        }
        return true;
    }
  }

  private unique(seen: Set<string>, key: string, pos: number, message: string): boolean {
    if (seen.has(key)) {
      this.st.error(pos, message);
      return false;
    }
    seen.add(key);
    return true;
  }

  private genfscon(s: LabelingStmt): boolean {
    const [fstype, path] = s.args as [string, string];
    const fileType = s.args.length === 4 ? s.args[2] : undefined;
    if (fileType !== undefined) {
      const cls = GENFS_CLASS[fileType]!;
      if (!this.st.classes.has(cls)) {
        this.st.error(s.pos, `genfscon file type '${fileType}' needs class '${cls}', which is not declared`);
        return false;
      }
    }
    const key = `${fstype}\0${path}`;
    const prev = this.genfs.get(key);
    if (prev?.some((t) => t === undefined || fileType === undefined || t === fileType)) {
      this.st.error(s.pos, `duplicate genfscon entry for (${fstype}, ${path})`);
      return false;
    }
    if (prev) prev.push(fileType);
    else this.genfs.set(key, [fileType]);
    return true;
  }

  private ranged(table: Map<string, Array<[number, number]>>, group: string, text: string, pos: number, kw: string, what: string): boolean {
    const [lo, hi] = range(text);
    let list = table.get(group);
    if (!list) table.set(group, (list = []));
    for (const [lo2, hi2] of list) {
      if (lo === lo2 && hi === hi2) {
        this.st.error(pos, `duplicate ${kw} entry for ${what} ${lo}-${hi}`);
        return false;
      }
      if (lo2 <= lo && hi2 >= hi) {
        this.st.error(pos, `${kw} entry for ${what} ${lo}-${hi} is hidden by the earlier entry for ${lo2}-${hi2}`);
        return false;
      }
    }
    list.push([lo, hi]);
    return true;
  }
}
