/** The typed host buffers of an OpenCL run: their element types, how they are filled, and their bytes. */

export const elementTypes = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;
export type ElementType = keyof typeof elementTypes;
export type TypedArray = InstanceType<(typeof elementTypes)[ElementType]>;

export const isFloat = (type: ElementType) => type === 'float32' || type === 'float64';

export type Fill = 'index' | 'zeros' | 'random' | number[];

export interface BufferSpec {
  name: string;
  type: ElementType;
  size: number;
  fill: Fill;
  out: boolean;
}

/** mulberry32: a small seeded generator, so a `random` fill is the same on every run and machine. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Floats in [0, 1); integers in [0, 100) so that sums stay far from overflow. */
export function filledBuffer(spec: BufferSpec, seed: number): TypedArray {
  const array = new elementTypes[spec.type](spec.size);
  const fill = spec.fill;
  if (Array.isArray(fill)) array.set(fill);
  else if (fill === 'index') for (let i = 0; i < spec.size; i++) array[i] = i;
  else if (fill === 'random') {
    const next = seeded(seed);
    for (let i = 0; i < spec.size; i++) array[i] = isFloat(spec.type) ? next() : Math.floor(next() * 100);
  }
  return array;
}

export function bufferFromBytes(type: ElementType, bytes: Buffer): TypedArray {
  const Ctor = elementTypes[type];
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Ctor(copy.buffer, 0, bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
}
