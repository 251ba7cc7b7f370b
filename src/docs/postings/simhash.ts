/**
 * SimHash fingerprints (Charikar): texts that share most of their terms get fingerprints a few
 * bits apart, whatever else differs. Search uses them to collapse near-duplicate chunks: the
 * same section copied into several versions or pages, give or take a line.
 */

/** Bits that may differ between two near-duplicates (of 64). */
export const NEAR_DUPLICATE_BITS = 3;

/** The fingerprint of a bag of terms, as a signed 64-bit integer (a BIGINT column). */
export function simhash(termCounts: ReadonlyMap<string, number>): bigint {
  const weights = new Float64Array(64);
  for (const [term, count] of termCounts) {
    // Dampened: a term repeated twenty times is not twenty times the evidence.
    const w = Math.log1p(count);
    const lo = hash32(term, 0x811c9dc5);
    const hi = hash32(term, 0x01000193);
    for (let bit = 0; bit < 32; bit++) {
      weights[bit]! += (lo >>> bit) & 1 ? w : -w;
      weights[bit + 32]! += (hi >>> bit) & 1 ? w : -w;
    }
  }
  let lo = 0;
  let hi = 0;
  for (let bit = 0; bit < 32; bit++) {
    if (weights[bit]! > 0) lo |= 1 << bit;
    if (weights[bit + 32]! > 0) hi |= 1 << bit;
  }
  return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
}

/** Number of bits in which two fingerprints differ. */
export function hammingDistance(a: bigint, b: bigint): number {
  const x = BigInt.asUintN(64, a ^ b);
  return popcount32(Number(x & 0xffffffffn)) + popcount32(Number(x >> 32n));
}

export function isNearDuplicate(a: bigint, b: bigint): boolean {
  return hammingDistance(a, b) <= NEAR_DUPLICATE_BITS;
}

/** FNV-1a over UTF-16 code units, then murmur3's finaliser to spread the bits. */
function hash32(text: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function popcount32(n: number): number {
  let v = n - ((n >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}
