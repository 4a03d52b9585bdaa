// HyperLogLog core (pure): Redis's hashing and estimator, our own byte encoding.
//
// Hash and estimator follow Redis (hyperloglog.c) so estimates match Redis's for the same
// elements: MurmurHash64A with seed 0xadc83b19, 2^14 registers indexed by the low 14 bits,
// register value = position of the first 1 bit in the other 50 bits (1-based, ≤ 51), and
// Ertl's improved raw estimator (no bias tables). Standard error 1.04/sqrt(16384) = 0.81%.
//
// Encoding (a latin1 string, so TYPE says string and GET returns the bytes, as in Redis):
//   "HYLL" + version byte 1 + 'd' + 12288 bytes: 16384 6-bit registers (dense, packed as Redis,
//                                      register i at bit 6i, least significant bits first)
//   "HYLL" + version byte 1 + 's' + (index hi, index lo, value)*       (sparse: nonzero registers, ascending)
// A sparse HLL turns dense once it has more than `hllSparseRegistersMax` nonzero registers
// (≈ Redis's hll-sparse-max-bytes of 3000).

export const hllPrecisionBits = 14;
export const hllRegisterCount = 1 << hllPrecisionBits;
/** Registers hold a run length of at most 64 - 14 + 1. */
export const hllRegisterValueMax = 64 - hllPrecisionBits + 1;
export const hllSparseRegistersMax = 1000;

const magic = 'HYLL';
const version = '\x01';
const denseTag = 'd';
const sparseTag = 's';
const headerLength = magic.length + 2;
const registerBits = 6;
const denseBytes = (hllRegisterCount * registerBits) / 8;

/** The encoded text is not one of ours at all (Redis: WRONGTYPE …). */
export const HLL_NOT_HLL = 'HLL_NOT_HLL';
/** The header is ours but the body is damaged (Redis: INVALIDOBJ …). */
export const HLL_CORRUPT = 'HLL_CORRUPT';

export type DecodeResult = Uint8Array | typeof HLL_NOT_HLL | typeof HLL_CORRUPT;

// --- MurmurHash64A on 32-bit halves -------------------------------------------------------------

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;

let resultHi = 0;
let resultLo = 0;

/** (aHi:aLo * bHi:bLo) mod 2^64 → resultHi:resultLo. */
function mul64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const a0 = aLo & 0xffff;
  const a1 = aLo >>> 16;
  const b0 = bLo & 0xffff;
  const b1 = bLo >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  resultLo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  const carry = p11 + Math.floor(p01 / 65536) + Math.floor(p10 / 65536) + Math.floor(mid / 65536);
  resultHi = ((carry >>> 0) + (Math.imul(aLo, bHi) >>> 0) + (Math.imul(aHi, bLo) >>> 0)) >>> 0;
}

/** MurmurHash64A of a latin1 string → [hi, lo] 32-bit halves (written to resultHi/resultLo). */
function murmurHash64A(text: string, seed: number): void {
  const length = text.length;
  mul64(0, length, M_HI, M_LO);
  let hHi = resultHi;
  let hLo = (resultLo ^ seed) >>> 0;
  const blockEnd = length - (length & 7);
  for (let i = 0; i < blockEnd; i += 8) {
    let kLo = (text.charCodeAt(i) | (text.charCodeAt(i + 1) << 8) | (text.charCodeAt(i + 2) << 16) | (text.charCodeAt(i + 3) << 24)) >>> 0;
    let kHi = (text.charCodeAt(i + 4) | (text.charCodeAt(i + 5) << 8) | (text.charCodeAt(i + 6) << 16) | (text.charCodeAt(i + 7) << 24)) >>> 0;
    mul64(kHi, kLo, M_HI, M_LO);
    kHi = resultHi;
    kLo = resultLo;
    kLo = (kLo ^ (kHi >>> 15)) >>> 0; // k ^= k >> 47
    mul64(kHi, kLo, M_HI, M_LO);
    hHi = (hHi ^ resultHi) >>> 0;
    hLo = (hLo ^ resultLo) >>> 0;
    mul64(hHi, hLo, M_HI, M_LO);
    hHi = resultHi;
    hLo = resultLo;
  }
  const tail = length & 7;
  if (tail > 0) {
    for (let j = tail - 1; j >= 0; j--) {
      const byte = text.charCodeAt(blockEnd + j);
      if (j >= 4) hHi = (hHi ^ (byte << (8 * (j - 4)))) >>> 0;
      else hLo = (hLo ^ (byte << (8 * j))) >>> 0;
    }
    mul64(hHi, hLo, M_HI, M_LO);
    hHi = resultHi;
    hLo = resultLo;
  }
  hLo = (hLo ^ (hHi >>> 15)) >>> 0;
  mul64(hHi, hLo, M_HI, M_LO);
  hHi = resultHi;
  hLo = resultLo;
  hLo = (hLo ^ (hHi >>> 15)) >>> 0;
  resultHi = hHi;
  resultLo = hLo;
}

/** MurmurHash64A as a bigint (tests compare it with known values). */
export function murmurHash64(text: string, seed = 0xadc83b19): bigint {
  murmurHash64A(text, seed);
  return (BigInt(resultHi) << 32n) | BigInt(resultLo);
}

function trailingZeros32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Adds an element to the registers; returns true when a register grew. */
export function hllAdd(registers: Uint8Array, element: string): boolean {
  murmurHash64A(element, 0xadc83b19);
  const index = resultLo & (hllRegisterCount - 1);
  // The 50 bits above the index, with a sentinel bit at position 50 (Redis's hllPatLen).
  const low18 = resultLo >>> hllPrecisionBits;
  let run: number;
  if (low18 !== 0) run = trailingZeros32(low18) + 1;
  else if (resultHi !== 0) run = 18 + trailingZeros32(resultHi) + 1;
  else run = hllRegisterValueMax;
  if (registers[index]! >= run) return false;
  registers[index] = run;
  return true;
}

// --- estimator -----------------------------------------------------------------------------------

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let previous: number;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (previous !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let previous: number;
  do {
    x = Math.sqrt(x);
    previous = z;
    y *= 0.5;
    z -= Math.pow(1 - x, 2) * y;
  } while (previous !== z);
  return z / 3;
}

/** Ertl's estimator over the registers (Redis's hllCount). */
export function hllEstimate(registers: Uint8Array): number {
  const q = 64 - hllPrecisionBits;
  const histogram = new Array<number>(q + 2).fill(0);
  for (let i = 0; i < hllRegisterCount; i++) histogram[registers[i]!]!++;
  const m = hllRegisterCount;
  let z = m * tau((m - histogram[q + 1]!) / m);
  for (let j = q; j >= 1; j--) {
    z += histogram[j]!;
    z *= 0.5;
  }
  z += m * sigma(histogram[0]! / m);
  const alphaInf = 0.5 / Math.LN2;
  return Math.round((alphaInf * m * m) / z);
}

/** Register-wise maximum into `target`. */
export function hllMergeInto(target: Uint8Array, source: Uint8Array): void {
  for (let i = 0; i < hllRegisterCount; i++) if (source[i]! > target[i]!) target[i] = source[i]!;
}

// --- encoding ------------------------------------------------------------------------------------

export function hllEmpty(): Uint8Array {
  return new Uint8Array(hllRegisterCount);
}

/** Decodes our string form; HLL_NOT_HLL or HLL_CORRUPT when it is not a sound HLL. */
export function hllDecode(text: string): DecodeResult {
  if (text.length < headerLength || !text.startsWith(magic) || text[4] !== version) return HLL_NOT_HLL;
  const tag = text[5];
  const registers = hllEmpty();
  if (tag === denseTag) {
    if (text.length !== headerLength + denseBytes) return HLL_NOT_HLL;
    for (let i = 0; i < hllRegisterCount; i++) {
      const bit = i * registerBits;
      const at = headerLength + (bit >>> 3);
      const shift = bit & 7;
      const low = text.charCodeAt(at);
      const high = at + 1 < text.length ? text.charCodeAt(at + 1) : 0;
      const value = ((low >>> shift) | (high << (8 - shift))) & 0x3f;
      if (value > hllRegisterValueMax) return HLL_CORRUPT;
      registers[i] = value;
    }
    return registers;
  }
  if (tag !== sparseTag) return HLL_NOT_HLL;
  if ((text.length - headerLength) % 3 !== 0) return HLL_CORRUPT;
  let previous = -1;
  for (let p = headerLength; p < text.length; p += 3) {
    const index = (text.charCodeAt(p) << 8) | text.charCodeAt(p + 1);
    const value = text.charCodeAt(p + 2);
    if (index <= previous || index >= hllRegisterCount || value === 0 || value > hllRegisterValueMax) return HLL_CORRUPT;
    registers[index] = value;
    previous = index;
  }
  return registers;
}

export function hllEncode(registers: Uint8Array): string {
  let nonzero = 0;
  for (let i = 0; i < hllRegisterCount; i++) if (registers[i] !== 0) nonzero++;
  if (nonzero > hllSparseRegistersMax) {
    const packed = Buffer.alloc(denseBytes);
    for (let i = 0; i < hllRegisterCount; i++) {
      const value = registers[i]!;
      if (value === 0) continue;
      const bit = i * registerBits;
      const at = bit >>> 3;
      const shift = bit & 7;
      packed[at]! |= (value << shift) & 0xff;
      if (shift > 2) packed[at + 1]! |= value >>> (8 - shift);
    }
    return magic + version + denseTag + packed.toString('latin1');
  }
  const parts: number[] = [];
  for (let i = 0; i < hllRegisterCount; i++) {
    if (registers[i] !== 0) parts.push(i >>> 8, i & 0xff, registers[i]!);
  }
  return magic + version + sparseTag + Buffer.from(parts).toString('latin1');
}

/** True for a text that is a dense encoding (OBJECT-level tests, debugging). */
export function hllIsDense(text: string): boolean {
  return text.length > headerLength && text[5] === denseTag;
}
