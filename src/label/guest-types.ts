/**
 * Guest definitions and live security labels: the data the label manager, its drivers and the
 * store exchange. Plain JSON-safe objects (the SQLite store keeps them as JSON text).
 *
 * Semantics follow libvirt's `<seclabel>` (formatdomain "Security label"; docs/libvirt-labels.md):
 * - type `dynamic`: the driver generates a unique label at every start; relabel is always yes.
 * - type `static`: the admin gives `label`; relabel defaults to no.
 * - type `none`: unconfined; relabel is always no; the image label is `file_context` at `s0`.
 * - `baseLabel` (dynamic only): the driver uses only its TYPE (user/role come from the daemon).
 * One seclabel per driver model; a disk may carry per-model `relabel='no'` or a `<label>` override.
 */

export type SecLabelType = 'dynamic' | 'static' | 'none';

/** A domain-level `<seclabel>` after normalisation (defaults applied, checked for consistency). */
export interface SecLabelDef {
  /** driver model: 'selinux', 'dac', 'smack', 'none', … */
  readonly model: string;
  /** 'default' (no type given): the host decides at start — dynamic when default-confined, else none */
  readonly type: SecLabelType | 'default';
  /** relabel resources (dynamic: always true; static: default false; none: always false; default: as resolved) */
  readonly relabel: boolean;
  /** static: the process label as given (SELinux: a full context; DAC: `user:group`, `+uid:+gid`) */
  readonly label?: string;
  /** dynamic: base context whose type is used (SELinux `<baselabel>`) */
  readonly baseLabel?: string;
  /** true when the manager created it because the guest had none for this model (default-confined) */
  readonly implicit?: boolean;
}

/** A per-disk (or per-backing-layer) `<seclabel>` inside `<source>`: only relabel and label. */
export interface DiskSecLabel {
  /** model it applies to; undefined = every model (libvirt: first matching or model-less) */
  readonly model?: string;
  readonly relabel: boolean;
  readonly label?: string;
}

/** One layer of a backing chain (`<backingStore>`), top excluded. */
export interface BackingLayer {
  readonly source: string;
  readonly type: 'file' | 'block';
  readonly seclabels: readonly DiskSecLabel[];
}

/** `<disk>`: the top image plus its backing chain (nearest first). */
export interface DiskDef {
  readonly source: string;
  readonly type: 'file' | 'block';
  /** guest device name (`vda`), informational */
  readonly target?: string;
  readonly readonly: boolean;
  readonly shareable: boolean;
  readonly seclabels: readonly DiskSecLabel[];
  readonly backingChain: readonly BackingLayer[];
}

/** A normalised guest definition (what `define` stores). */
export interface GuestDef {
  readonly name: string;
  /** lower-case RFC 4122 text form */
  readonly uuid: string;
  /** 'kvm' (default) or 'qemu' (TCG: SELinux uses the alt domain context when configured) */
  readonly virtType: 'kvm' | 'qemu';
  readonly seclabels: readonly SecLabelDef[];
  readonly disks: readonly DiskDef[];
}

/**
 * The loose input form accepted by `define` for library users (the same fields the domain XML
 * subset carries). Missing fields get libvirt's defaults; everything is validated.
 */
export interface GuestInput {
  name: string;
  uuid?: string;
  virtType?: 'kvm' | 'qemu';
  seclabels?: Array<{
    model?: string;
    type?: SecLabelType | 'default';
    relabel?: boolean;
    label?: string;
    baseLabel?: string;
  }>;
  /** shorthand for a single `seclabels` entry without a model (the primary driver's) */
  seclabel?: { model?: string; type?: SecLabelType | 'default'; relabel?: boolean; label?: string; baseLabel?: string };
  disks?: Array<{
    source: string;
    type?: 'file' | 'block';
    target?: string;
    readonly?: boolean;
    shareable?: boolean;
    seclabels?: Array<{ model?: string; relabel?: boolean; label?: string }>;
    backingChain?: Array<{ source: string; type?: 'file' | 'block'; seclabels?: Array<{ model?: string; relabel?: boolean; label?: string }> }>;
  }>;
}

/**
 * The label a driver generated for a running guest (libvirt's live `<seclabel>` with `label` and
 * `imagelabel`). Absent fields mean "nothing of that kind" (e.g. type none has no process label).
 */
export interface LiveSecLabel {
  readonly model: string;
  readonly type: SecLabelType;
  readonly relabel: boolean;
  /** process label (SELinux context, DAC `+uid:+gid`, SMACK label) */
  readonly label?: string;
  /** label for the guest's private writable resources */
  readonly imageLabel?: string;
  /** the MCS level reserved for this guest (SELinux only), e.g. `s0:c12,c345` */
  readonly mcsLevel?: string;
  /** true when `mcsLevel` was drawn by the allocator (dynamic), false when reserved as given */
  readonly mcsDynamic?: boolean;
}

/** One file labelled for a running guest: what `stop` restores. */
export interface LabelledFile {
  readonly path: string;
  readonly model: string;
  /** the label set on the file */
  readonly label: string;
  /** how the file is used: decides restore (shared/readonly/backing files are never restored) */
  readonly role: 'image' | 'shared' | 'readonly' | 'backing' | 'override';
  /** the original label was remembered (refcounted) and is recalled at stop */
  readonly remembered: boolean;
}

export type GuestState = 'shutoff' | 'running';

/** A guest as the store keeps it. */
export interface GuestRecord {
  readonly def: GuestDef;
  readonly state: GuestState;
  /** simulated QEMU process id while running */
  readonly pid?: number;
  /** live labels per driver model, primary first (empty when shut off) */
  readonly live: readonly LiveSecLabel[];
  /** files labelled at start (empty when shut off) */
  readonly files: readonly LabelledFile[];
  /** ms since the epoch of the last start */
  readonly startedAt?: number;
}
