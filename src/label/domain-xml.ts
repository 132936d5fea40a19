/**
 * The libvirt domain XML subset the label manager reads (formatdomain): `<domain type>`, `<name>`,
 * `<uuid>`, domain `<seclabel type model relabel>` with `<label>` (static only) / `<baselabel>`
 * (dynamic only; `<imagelabel>` and a dynamic label's live `<label>` are ignored as libvirt's
 * inactive parse ignores them, so `virsh dumpxml` output of a running guest is accepted), and `<devices><disk type='file|block'>` with `<source file|dev>`
 * (+ per-source `<seclabel model relabel><label/></seclabel>`), `<target dev>`, `<readonly/>`,
 * `<shareable/>` and nested `<backingStore type><source …/><backingStore…/></backingStore>`.
 * Every other element is ignored. Parsed with fast-xml-parser (no DTD/entity expansion beyond the
 * five XML entities); every error is an E_LABEL `file:line:col: error: …` naming the element.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { definitionError, quoteInput } from '../errors.js';
import type { GuestInput, SecLabelType } from './guest-types.js';
import { normalizeGuest } from './guest.js';
import type { GuestDef } from './guest-types.js';

type XNode = Record<string | symbol, unknown>;

const META = XMLParser.getMetaDataSymbol() as unknown as symbol;
const ARRAYS = new Set(['seclabel', 'disk']);

/** a parser's message on one line, bounded (it may echo the hostile input) */
function oneLine(message: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = message.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

function lineCol(text: string, index: number): [number, number] {
  let line = 1;
  let last = -1;
  for (let i = 0; i < index && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return [line, index - last];
}

class Reader {
  constructor(
    readonly xml: string,
    readonly file: string,
  ) {}

  fail(node: unknown, message: string): never {
    const start = typeof node === 'object' && node !== null ? ((node as XNode)[META] as { startIndex?: number } | undefined)?.startIndex : undefined;
    const [line, col] = lineCol(this.xml, start ?? 0);
    throw definitionError(this.file, line, col, message);
  }

  attr(node: XNode, name: string): string | undefined {
    const v = node[`@_${name}`];
    return v === undefined ? undefined : String(v);
  }

  yesNo(node: XNode, name: string, where: string): boolean | undefined {
    const v = this.attr(node, name);
    if (v === undefined) return undefined;
    if (v === 'yes') return true;
    if (v === 'no') return false;
    return this.fail(node, `${where}: invalid ${name}=${quoteInput(v)} (expected 'yes' or 'no')`);
  }

  /** text content of a child element, trimmed; undefined when absent */
  text(node: XNode, name: string): string | undefined {
    const v = node[name];
    if (v === undefined) return undefined;
    if (Array.isArray(v)) return this.fail(node, `<${name}> appears more than once`);
    if (typeof v === 'object' && v !== null) {
      const t = (v as XNode)['#text'];
      return t === undefined ? '' : String(t).trim();
    }
    return String(v).trim();
  }

  child(node: XNode, name: string): XNode | undefined {
    const v = node[name];
    if (v === undefined) return undefined;
    if (Array.isArray(v)) return this.fail(node, `<${name}> appears more than once`);
    return typeof v === 'object' && v !== null ? (v as XNode) : {};
  }

  list(node: XNode, name: string): XNode[] {
    const v = node[name];
    if (v === undefined) return [];
    return (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'object' && x !== null ? (x as XNode) : {}));
  }
}

function deviceSeclabels(r: Reader, source: XNode, where: string): Array<{ model?: string; relabel?: boolean; label?: string }> {
  return r.list(source, 'seclabel').map((s) => {
    const model = r.attr(s, 'model');
    const relabel = r.yesNo(s, 'relabel', `${where} <seclabel>`);
    const label = r.text(s, 'label');
    return { ...(model !== undefined ? { model } : {}), ...(relabel !== undefined ? { relabel } : {}), ...(label !== undefined ? { label } : {}) };
  });
}

/** `<source file=…>` or `<source dev=…>` per disk type */
function sourceOf(r: Reader, holder: XNode, type: string, where: string): { path: string; node: XNode } {
  const source = r.child(holder, 'source');
  if (!source) return r.fail(holder, `${where}: missing <source>`);
  const path = type === 'block' ? r.attr(source, 'dev') : r.attr(source, 'file');
  if (path === undefined) return r.fail(source, `${where}: <source> needs a ${type === 'block' ? 'dev' : 'file'} attribute`);
  return { path, node: source };
}

function diskType(r: Reader, node: XNode, where: string): 'file' | 'block' {
  const type = r.attr(node, 'type') ?? 'file';
  if (type !== 'file' && type !== 'block') return r.fail(node, `${where}: disk type ${quoteInput(type)} is not supported (only local 'file' and 'block' storage is labelled)`);
  return type;
}

/** Parse domain XML into the loose input form (no defaults applied yet). */
export function domainXmlToInput(xml: string, file = '<domain>'): GuestInput {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw definitionError(file, valid.err.line ?? 1, valid.err.col ?? 1, `malformed XML: ${oneLine(valid.err.msg)}`);
  const r = new Reader(xml, file);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: true,
    processEntities: true,
    htmlEntities: false,
    captureMetaData: true,
    isArray: (name) => ARRAYS.has(name),
  });
  let doc: XNode;
  try {
    doc = parser.parse(xml) as XNode;
  } catch (err) {
    throw definitionError(file, 1, 1, `malformed XML: ${oneLine((err as Error).message)}`);
  }
  const domain = doc['domain'];
  if (typeof domain !== 'object' || domain === null || Array.isArray(domain)) throw definitionError(file, 1, 1, 'the root element must be a single <domain>');
  const d = domain as XNode;
  const virtType = r.attr(d, 'type') ?? 'kvm';
  if (virtType !== 'kvm' && virtType !== 'qemu') r.fail(d, `<domain type=${quoteInput(virtType)}>: only kvm and qemu are supported`);
  const name = r.text(d, 'name');
  if (name === undefined || name === '') r.fail(d, '<domain> has no <name>');
  const uuid = r.text(d, 'uuid');

  const seclabels = r.list(d, 'seclabel').map((s, i) => {
    const where = `<seclabel> #${i + 1}`;
    const type = r.attr(s, 'type');
    if (type !== undefined && !['dynamic', 'static', 'none', 'default'].includes(type)) {
      r.fail(s, `${where}: invalid security type ${quoteInput(type)} (dynamic, static, none)`);
    }
    const model = r.attr(s, 'model');
    const relabel = r.yesNo(s, 'relabel', where);
    // libvirt virSecurityLabelDefParseXML with VIR_DOMAIN_DEF_PARSE_INACTIVE (what `virsh define`
    // uses): `<label>` is read only for static labels and `<imagelabel>` never, so the live labels
    // of a running guest's `virsh dumpxml` are ignored and a new start draws fresh ones;
    // `<baselabel>` is read only for dynamic labels. A seclabel without `type` keeps every field
    // (guest.ts decides what its type is).
    const label = type === 'static' || type === undefined ? r.text(s, 'label') : undefined;
    const baseLabel = type === 'dynamic' || type === undefined ? r.text(s, 'baselabel') : undefined;
    return {
      ...(model !== undefined ? { model } : {}),
      ...(type !== undefined ? { type: type as SecLabelType | 'default' } : {}),
      ...(relabel !== undefined ? { relabel } : {}),
      ...(label !== undefined ? { label } : {}),
      ...(baseLabel !== undefined ? { baseLabel } : {}),
    };
  });

  const disks: NonNullable<GuestInput['disks']> = [];
  const devices = r.child(d, 'devices');
  for (const [i, disk] of (devices ? r.list(devices, 'disk') : []).entries()) {
    const where = `<disk> #${i + 1}`;
    const type = diskType(r, disk, where);
    const { path, node: source } = sourceOf(r, disk, type, where);
    const chain: Array<{ source: string; type: 'file' | 'block'; seclabels: ReturnType<typeof deviceSeclabels> }> = [];
    let layer = r.child(disk, 'backingStore');
    while (layer) {
      const lwhere = `${where} <backingStore> #${chain.length + 1}`;
      if (r.child(layer, 'source') === undefined) break; // `<backingStore/>` terminates the chain
      const ltype = diskType(r, layer, lwhere);
      const ls = sourceOf(r, layer, ltype, lwhere);
      chain.push({ source: ls.path, type: ltype, seclabels: deviceSeclabels(r, ls.node, lwhere) });
      if (chain.length > 64) r.fail(layer, `${where}: backing chain deeper than 64 layers`);
      layer = r.child(layer, 'backingStore');
    }
    const target = r.child(disk, 'target');
    const dev = target ? r.attr(target, 'dev') : undefined;
    disks.push({
      source: path,
      type,
      ...(dev !== undefined ? { target: dev } : {}),
      readonly: disk['readonly'] !== undefined,
      shareable: disk['shareable'] !== undefined,
      seclabels: deviceSeclabels(r, source, where),
      backingChain: chain,
    });
  }
  return { name: name!, ...(uuid !== undefined ? { uuid } : {}), virtType: virtType as 'kvm' | 'qemu', seclabels, disks };
}

/**
 * Parse and normalise domain XML (normalisation errors are GuestErrors, XML problems are
 * `file:line:col` errors).
 */
export function parseDomainXml(xml: string, file = '<domain>', primaryModel = 'selinux'): GuestDef {
  return normalizeGuest(domainXmlToInput(xml, file), primaryModel);
}
