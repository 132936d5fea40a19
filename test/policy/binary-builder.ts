/**
 * Test helper: encodes a minimal, valid kernel policy (one class, one type, object_r + one role,
 * one user, one sensitivity, one category, one avtab rule, one initial SID) in the policy.NN format,
 * recording the offsets of interesting fields so tests can corrupt them precisely.
 * Format facts: docs/selinux-semantics.md (S src/write.c is the writer counterpart).
 */

export class ByteWriter {
  private buf = new Uint8Array(256);
  length = 0;

  private grow(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): this {
    this.grow(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.grow(2);
    new DataView(this.buf.buffer).setUint16(this.length, v, true);
    this.length += 2;
    return this;
  }

  u32(v: number): this {
    this.grow(4);
    new DataView(this.buf.buffer).setUint32(this.length, v >>> 0, true);
    this.length += 4;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.grow(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** `[len u32]` + bytes, as most names are encoded */
  name(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.u32(b.length).bytes(b);
  }

  /** minimal ebitmap encoding (S ebitmap_write): nodes of 64 bits, highbit = last start + 64 */
  ebitmap(bits: readonly number[]): this {
    const nodes = new Map<number, [number, number]>();
    for (const bit of bits) {
      const start = bit - (bit % 64);
      const node = nodes.get(start) ?? [0, 0];
      const off = bit - start;
      if (off < 32) node[0] = (node[0] | (1 << off)) >>> 0;
      else node[1] = (node[1] | (1 << (off - 32))) >>> 0;
      nodes.set(start, node);
    }
    const starts = [...nodes.keys()].sort((a, b) => a - b);
    const highbit = starts.length ? starts[starts.length - 1]! + 64 : 0;
    this.u32(64).u32(highbit).u32(starts.length);
    for (const s of starts) {
      const [lo, hi] = nodes.get(s)!;
      this.u32(s).u32(lo).u32(hi);
    }
    return this;
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export interface MinimalPolicy {
  bytes: Uint8Array;
  /** offsets of fields, by name */
  at: Record<string, number>;
}

export interface MinimalOptions {
  version?: number;
  mls?: boolean;
}

/** Build the minimal policy; `at` maps field names to byte offsets. */
export function buildMinimalPolicy(options: MinimalOptions = {}): MinimalPolicy {
  const version = options.version ?? 33;
  const mls = options.mls ?? true;
  const w = new ByteWriter();
  const at: Record<string, number> = {};
  const mark = (k: string): void => {
    at[k] = w.length;
  };
  const range = (): void => {
    w.u32(1).u32(mls ? 1 : 0).ebitmap([]);
  };

  mark('magic');
  w.u32(0xf97cff8c).name('SE Linux');
  mark('version');
  w.u32(version);
  mark('config');
  w.u32(mls ? 1 : 0).u32(8);
  mark('oconNum');
  w.u32(version >= 31 ? 9 : 7);
  mark('policycaps');
  w.ebitmap([1]);
  mark('permissive');
  w.ebitmap([]);
  if (version >= 35) {
    mark('neveraudit');
    w.ebitmap([]);
  }
  mark('commons');
  w.u32(0).u32(0);
  mark('classes');
  w.u32(1).u32(1);
  mark('class.record');
  w.u32(4).u32(0).u32(1).u32(2).u32(2);
  mark('class.ncons');
  w.u32(1);
  w.bytes(new TextEncoder().encode('file'));
  mark('perm.read');
  w.u32(4).u32(1).bytes(new TextEncoder().encode('read'));
  mark('perm.write');
  w.u32(5).u32(2).bytes(new TextEncoder().encode('write'));
  mark('constraint');
  w.u32(1);
  mark('constraint.nexpr');
  w.u32(1);
  mark('constraint.expr');
  w.u32(4).u32(1).u32(1); // ATTR USER EQ: u1 == u2
  w.u32(0); // validatetrans
  if (version >= 27) w.u32(0).u32(0).u32(0);
  if (version >= 28) w.u32(0);
  mark('roles');
  w.u32(2).u32(2);
  mark('role.object_r');
  w.u32(8).u32(1).u32(0).bytes(new TextEncoder().encode('object_r')).ebitmap([0]).ebitmap([]);
  mark('role.sys_r');
  w.u32(5).u32(2).u32(0).bytes(new TextEncoder().encode('sys_r'));
  mark('role.sys_r.dominates');
  w.ebitmap([1]);
  mark('role.sys_r.types');
  w.ebitmap([0]);
  mark('types');
  w.u32(1).u32(1);
  mark('type.record');
  w.u32(5).u32(1).u32(1).u32(0).bytes(new TextEncoder().encode('dom_t'));
  mark('users');
  w.u32(1).u32(1);
  w.u32(5).u32(1).u32(0).bytes(new TextEncoder().encode('sys_u'));
  mark('user.roles');
  w.ebitmap([1]);
  mark('user.range');
  range();
  w.u32(mls ? 1 : 0).ebitmap([]); // default level
  mark('bools');
  w.u32(0).u32(0);
  mark('sens');
  if (mls) {
    w.u32(1).u32(1).u32(2).u32(0).bytes(new TextEncoder().encode('s0'));
    mark('sens.level');
    w.u32(1).ebitmap([0]);
    mark('cats');
    w.u32(1).u32(1).u32(2).u32(1).u32(0).bytes(new TextEncoder().encode('c0'));
  } else {
    w.u32(0).u32(0);
    mark('cats');
    w.u32(0).u32(0);
  }
  mark('avtab');
  w.u32(1);
  mark('avtab.item');
  w.u16(1).u16(1).u16(1).u16(1).u32(3);
  mark('conds');
  w.u32(0);
  mark('role_trans');
  w.u32(0);
  mark('role_allow');
  w.u32(0);
  if (version >= 25) {
    mark('filename_trans');
    w.u32(0);
  }
  mark('ocontexts');
  w.u32(1);
  mark('isid');
  w.u32(1);
  mark('isid.context');
  w.u32(1).u32(2).u32(1);
  range();
  for (let k = 1; k < (version >= 31 ? 9 : 7); k++) w.u32(0);
  mark('genfs');
  w.u32(0);
  mark('range_trans');
  w.u32(0);
  mark('type_attr_map');
  w.ebitmap([]);
  mark('end');
  return { bytes: w.done(), at };
}

/** Copy `bytes` with a u32 written at `offset`. */
export function withU32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(offset, value >>> 0, true);
  return out;
}
