// A bump allocator over linear memory for the few long-lived regions (AVC slots and nodes, batch
// buffers, SID records, policy image). Nothing on the hot path allocates. Regions are 64-byte
// aligned; memory grows on demand. Freed regions are not reused except by their owner (the image
// region is reused when a reload fits, the SID region doubles), so waste is bounded by 2x.

let top: usize = 0;

/** a fresh region of `size` bytes, or 0 when memory cannot grow */
export function alloc(size: usize): usize {
  if (top == 0) top = (__heap_base + 63) & ~(<usize>63);
  const p = (top + 63) & ~(<usize>63);
  const end = p + size;
  if (p < top || end < p) return 0; // the region would wrap the 32-bit address space
  const have = <usize>memory.size() << 16;
  if (end > have) {
    const pages = <i32>((end - have + 0xffff) >>> 16);
    if (memory.grow(pages) < 0) return 0;
  }
  top = end;
  return p;
}

/** zero `size` bytes at `p` */
export function zero(p: usize, size: usize): void {
  memory.fill(p, 0, size);
}
