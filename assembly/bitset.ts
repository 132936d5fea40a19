// 1024-bit category sets (16 x u64 = 8 x v128, 128 bytes, 16-byte aligned): the Wasm twin of
// src/context/categories.ts. Bit i stands for category value i + 1 (S ebitmap, value - 1 indexing).
// SIMD: one v128 ANDNOT/XOR per 128 bits; the loops are unrolled by hand so the hot MLS checks
// (h1 dom h2) are straight-line code.

/** a ⊇ b: every bit of b is set in a (K ebitmap_contains without the last-bit limit) */
// @ts-ignore: decorator
@inline
export function catsContains(a: usize, b: usize): bool {
  // (b & ~a) must be zero in every lane
  let x = v128.andnot(v128.load(b), v128.load(a));
  x = v128.or(x, v128.andnot(v128.load(b, 16), v128.load(a, 16)));
  x = v128.or(x, v128.andnot(v128.load(b, 32), v128.load(a, 32)));
  x = v128.or(x, v128.andnot(v128.load(b, 48), v128.load(a, 48)));
  x = v128.or(x, v128.andnot(v128.load(b, 64), v128.load(a, 64)));
  x = v128.or(x, v128.andnot(v128.load(b, 80), v128.load(a, 80)));
  x = v128.or(x, v128.andnot(v128.load(b, 96), v128.load(a, 96)));
  x = v128.or(x, v128.andnot(v128.load(b, 112), v128.load(a, 112)));
  return !v128.any_true(x);
}

/** a == b (K ebitmap_cmp) */
// @ts-ignore: decorator
@inline
export function catsEqual(a: usize, b: usize): bool {
  let x = v128.xor(v128.load(a), v128.load(b));
  x = v128.or(x, v128.xor(v128.load(a, 16), v128.load(b, 16)));
  x = v128.or(x, v128.xor(v128.load(a, 32), v128.load(b, 32)));
  x = v128.or(x, v128.xor(v128.load(a, 48), v128.load(b, 48)));
  x = v128.or(x, v128.xor(v128.load(a, 64), v128.load(b, 64)));
  x = v128.or(x, v128.xor(v128.load(a, 80), v128.load(b, 80)));
  x = v128.or(x, v128.xor(v128.load(a, 96), v128.load(b, 96)));
  x = v128.or(x, v128.xor(v128.load(a, 112), v128.load(b, 112)));
  return !v128.any_true(x);
}

/** bit (value - 1) of a bitset of `words` u32 words; out-of-range values are not members */
// @ts-ignore: decorator
@inline
export function bitsetHas(base: usize, words: u32, value: u32): bool {
  const idx = value - 1; // value 0 wraps to 0xffffffff and fails the range test below
  const w = idx >>> 5;
  if (w >= words) return false;
  return ((load<u32>(base + (<usize>w << 2)) >>> (idx & 31)) & 1) != 0;
}
