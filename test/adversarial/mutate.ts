/** Seeded mutators for the fuzz tests: byte and text edits of a valid input (fast-check arbitraries). */
import fc from 'fast-check';

/** Edits of a text: delete, duplicate, insert hostile snippets, swap lines, truncate. */
export function mutatedText(base: string, snippets: readonly string[]): fc.Arbitrary<string> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...snippets), fc.string({ maxLength: 12 })) }),
    fc.record({ kind: fc.constant('dup' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('swaplines' as const), a: fc.nat(), b: fc.nat() }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let t = base;
    for (const e of edits) {
      const n = Math.max(1, t.length);
      switch (e.kind) {
        case 'delete': {
          const at = e.at % n;
          t = t.slice(0, at) + t.slice(at + e.len);
          break;
        }
        case 'insert': {
          const at = e.at % (t.length + 1);
          t = t.slice(0, at) + e.text + t.slice(at);
          break;
        }
        case 'dup': {
          const at = e.at % n;
          t = t.slice(0, at + e.len) + t.slice(at, at + e.len) + t.slice(at + e.len);
          break;
        }
        case 'truncate':
          t = t.slice(0, e.at % n);
          break;
        case 'swaplines': {
          const lines = t.split('\n');
          const a = e.a % lines.length;
          const b = e.b % lines.length;
          [lines[a], lines[b]] = [lines[b]!, lines[a]!];
          t = lines.join('\n');
          break;
        }
      }
    }
    return t;
  });
}

/** Edits of bytes: flip, set a u32 to an extreme, truncate, duplicate a slice. */
export function mutatedBytes(base: Uint8Array): fc.Arbitrary<Uint8Array> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: fc.constantFrom(0, 1, 2, 0xff, 0xffff, 0x7fffffff, 0xffffffff, 0x10000000) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('dup' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
    let b = base.slice();
    for (const e of edits) {
      const n = Math.max(1, b.length);
      switch (e.kind) {
        case 'flip':
          if (b.length > 0) b[e.at % n]! ^= 1 << e.bit;
          break;
        case 'u32': {
          const at = (e.at % n) & ~3;
          if (at + 4 <= b.length) new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(at, e.value, true);
          break;
        }
        case 'truncate':
          b = b.slice(0, e.at % n);
          break;
        case 'dup': {
          const at = e.at % n;
          const out = new Uint8Array(b.length + Math.min(e.len, b.length - at));
          out.set(b.subarray(0, at + e.len));
          out.set(b.subarray(at, at + e.len), Math.min(at + e.len, b.length));
          out.set(b.subarray(at + e.len), Math.min(at + e.len, b.length) + Math.min(e.len, b.length - at));
          b = out;
          break;
        }
      }
    }
    return b;
  });
}
