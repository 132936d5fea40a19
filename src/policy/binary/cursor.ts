/**
 * A bounds-checked little-endian reader over a binary policy (policy.NN).
 *
 * Invariants:
 * - Every read checks the remaining length first; running off the end throws a BinaryPolicyError
 *   naming the current section and the offset of the field being read ("truncated").
 * - Every element count is checked against the bytes left before the caller allocates anything:
 *   `count(minBytes)` rejects a count whose elements could not possibly fit in the rest of the file,
 *   so a corrupted count of 2^32-1 fails at once instead of allocating gigabytes.
 * - All integers on disk are little-endian (S src/policydb.c:next_entry + le32_to_cpu).
 */
import { BinaryPolicyError } from '../../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Names up to this length are decoded through reusable char-code arrays (one per length). */
const MAX_FAST_NAME = 64;
const FAST_BUFFERS: number[][] = Array.from({ length: MAX_FAST_NAME + 1 }, (_, n) => new Array<number>(n).fill(0));

export class Cursor {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly length: number;
  /** byte offset of the next read */
  pos = 0;
  /** where each section started (section name, byte offset), in file order; only when requested */
  readonly marks: Array<{ section: string; offset: number }> | undefined;
  private current = 'header';

  constructor(bytes: Uint8Array, recordSections = false) {
    this.marks = recordSections ? [] : undefined;
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.length = bytes.byteLength;
  }

  /** name of the section being read, for error messages */
  get section(): string {
    return this.current;
  }

  set section(name: string) {
    if (this.marks && name !== this.current) this.marks.push({ section: name, offset: this.pos });
    this.current = name;
  }

  get remaining(): number {
    return this.length - this.pos;
  }

  /** Throw a BinaryPolicyError for the current section at `offset` (default: the read position). */
  fail(detail: string, offset: number = this.pos): never {
    throw new BinaryPolicyError(this.section, offset, detail);
  }

  private truncated(need: number): never {
    this.fail(`truncated: need ${need} byte(s), ${this.remaining} left`);
  }

  u8(): number {
    if (this.pos + 1 > this.length) this.truncated(1);
    return this.bytes[this.pos++]!;
  }

  u16(): number {
    if (this.pos + 2 > this.length) this.truncated(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    if (this.pos + 4 > this.length) this.truncated(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Skip n bytes (bounds-checked). */
  skip(n: number): void {
    if (n > this.remaining) this.truncated(n);
    this.pos += n;
  }

  /**
   * Read a u32 element count and check that `count * minBytesEach` bytes can still follow.
   * `minBytesEach` is the smallest encoded size of one element (>= 1).
   */
  count(minBytesEach: number, what: string): number {
    const at = this.pos;
    const n = this.u32();
    if (n * minBytesEach > this.remaining) {
      this.fail(`${what} count ${n} cannot fit in the ${this.remaining} byte(s) left`, at);
    }
    return n;
  }

  /** Check an already-read count the same way as `count`. */
  checkCount(n: number, minBytesEach: number, what: string, at: number): void {
    if (n * minBytesEach > this.remaining) {
      this.fail(`${what} count ${n} cannot fit in the ${this.remaining} byte(s) left`, at);
    }
  }

  /**
   * A length-prefixed-elsewhere string of `len` bytes (no NUL on disk). `lenAt` is the offset of the
   * length field, for errors. Empty strings are invalid (S policydb.c: zero_or_saturated).
   */
  str(len: number, what: string, lenAt: number): string {
    if (len === 0) this.fail(`${what}: zero-length name`, lenAt);
    if (len > this.remaining) this.fail(`${what}: name length ${len} exceeds the ${this.remaining} byte(s) left`, lenAt);
    const start = this.pos;
    const end = start + len;
    const b = this.bytes;
    this.pos = end;
    // Fast path: short ASCII names (the overwhelming majority), one string allocation each.
    if (len <= MAX_FAST_NAME) {
      const chars = FAST_BUFFERS[len]!;
      for (let i = 0; i < len; i++) {
        const ch = b[start + i]!;
        if (ch === 0 || ch >= 0x80) return this.slowStr(start, end);
        chars[i] = ch;
      }
      return String.fromCharCode.apply(null, chars);
    }
    return this.slowStr(start, end);
  }

  /**
   * A name with a NUL byte ends there, as in C: libsepol and the kernel read `len` bytes and use the
   * string up to its first NUL (S policydb.c str_read, K ss/policydb.c str_read).
   */
  private slowStr(start: number, end: number): string {
    const b = this.bytes;
    let stop = start;
    while (stop < end && b[stop] !== 0) stop++;
    return utf8.decode(b.subarray(start, stop));
  }
}
