/**
 * Hashing shared by the consistent-hashing strategies: MurmurHash3 (x86, 32-bit) over a string's
 * UTF-16 code units. Hashing the code units directly, two per 32-bit block, needs no encoder and
 * allocates nothing, which keeps key hashing on the pick path cheap. Positions are therefore not
 * byte-compatible with Envoy's xxHash64 over UTF-8; only stability within srekit matters.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * MurmurHash3 x86 32-bit of `text`'s UTF-16 code units with `seed`. Returns an unsigned 32-bit
 * integer. Same input and seed → same output on every platform.
 */
export function hashString(text: string, seed = 0): number {
  let h = seed | 0;
  const length = text.length;
  const even = length & ~1;
  let i = 0;
  for (; i < even; i += 2) {
    let k = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < length) {
    let k = text.charCodeAt(i);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= length * 2;
  return fmix32(h);
}

/** MurmurHash3's 32-bit finaliser: spreads every input bit over the output. Unsigned result. */
export function fmix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 2^32, the size of the hash space. */
export const HASH_SPACE = 4_294_967_296;

/** Indexes of `backends` sorted by id (code-unit order), for builds that must not depend on order. */
export function byId(backends: readonly { readonly id: string }[]): number[] {
  return backends
    .map((_, i) => i)
    .sort((a, b) => {
      const x = (backends[a] as { id: string }).id;
      const y = (backends[b] as { id: string }).id;
      return x < y ? -1 : x > y ? 1 : a - b;
    });
}
