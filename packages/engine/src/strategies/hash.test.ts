import { describe, expect, it } from 'vitest';
import { byId, fmix32, hashString } from './hash.js';

// Reference MurmurHash3 x86_32 over bytes, written from the published algorithm; hashString must
// equal it on the string's UTF-16LE bytes.
function murmur3Bytes(bytes: Uint8Array, seed: number): number {
  let h = seed >>> 0;
  const blocks = bytes.length >> 2;
  for (let b = 0; b < blocks; b++) {
    const o = b * 4;
    let k =
      (bytes[o] as number) |
      ((bytes[o + 1] as number) << 8) |
      ((bytes[o + 2] as number) << 16) |
      ((bytes[o + 3] as number) << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks * 4;
  let k = 0;
  const rest = bytes.length & 3;
  if (rest >= 3) k ^= (bytes[tail + 2] as number) << 16;
  if (rest >= 2) k ^= (bytes[tail + 1] as number) << 8;
  if (rest >= 1) {
    k ^= bytes[tail] as number;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= bytes.length;
  return fmix32(h);
}

describe('hashString', () => {
  it('is MurmurHash3 x86_32 of the UTF-16LE bytes', () => {
    for (const text of [
      '',
      'a',
      'ab',
      'abc',
      'user-12345',
      'ünïcödé ✓',
      '😀 emoji',
      'x'.repeat(101),
    ]) {
      for (const seed of [0, 1, 0x9747b28c]) {
        const bytes = new Uint8Array(Buffer.from(text, 'utf16le'));
        expect(hashString(text, seed)).toBe(murmur3Bytes(bytes, seed));
      }
    }
  });

  it('matches the published MurmurHash3 test vectors through the byte reference', () => {
    // Vectors from the reference implementation's test suite (SMHasher).
    expect(murmur3Bytes(new Uint8Array(0), 0)).toBe(0);
    expect(murmur3Bytes(new Uint8Array(0), 1)).toBe(0x514e28b7);
    expect(murmur3Bytes(new Uint8Array(Buffer.from('aaaa')), 0x9747b28c)).toBe(0x5a97808a);
    expect(murmur3Bytes(new Uint8Array(Buffer.from('Hello, world!')), 0x9747b28c)).toBe(0x24884cba);
  });

  it('is unsigned 32-bit, seed-dependent and spreads keys evenly', () => {
    const buckets = new Array<number>(16).fill(0);
    let outOfRange = 0;
    for (let i = 0; i < 16_000; i++) {
      const h = hashString(`key-${i}`);
      if (!(Number.isInteger(h) && h >= 0 && h < 2 ** 32)) outOfRange++;
      buckets[h >>> 28] = (buckets[h >>> 28] as number) + 1;
    }
    expect(outOfRange).toBe(0);
    // 1 000 expected per bucket, σ ≈ 31; 6σ.
    for (const count of buckets) expect(Math.abs(count - 1_000)).toBeLessThan(190);
    expect(hashString('same', 0)).not.toBe(hashString('same', 1));
  });
});

describe('byId', () => {
  it('orders indexes by id', () => {
    expect(byId([{ id: 'c' }, { id: 'a' }, { id: 'b' }])).toEqual([1, 2, 0]);
  });
});
