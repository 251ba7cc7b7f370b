/**
 * Theoretical occupancy from a kernel's resource use and an architecture's limits, the way
 * NVIDIA's occupancy calculator computes it (CUDA C++ Programming Guide, "Compute Capabilities"
 * table, and the calculator's allocation granularities). Dynamic shared memory is unknown at
 * compile time, so only the kernel's static shared memory counts.
 */
export interface ArchLimits {
  maxWarpsPerSM: number;
  maxBlocksPerSM: number;
  registersPerSM: number;
  /** Registers are allocated per warp in units of this many. */
  registerAllocUnit: number;
  maxRegistersPerThread: number;
  sharedPerSM: number;
  maxSharedPerBlock: number;
  /** Shared memory the system reserves for each resident block. */
  sharedReservedPerBlock: number;
  sharedAllocUnit: number;
  maxThreadsPerBlock: number;
}

const KB = 1024;
const base = {
  registersPerSM: 65536,
  registerAllocUnit: 256,
  maxRegistersPerThread: 255,
  sharedAllocUnit: 128,
  maxThreadsPerBlock: 1024,
  sharedReservedPerBlock: 1 * KB,
};

/** By `sm_XY`; an architecture not listed gets no occupancy table (the compile still reports its resources). */
export const ARCH_LIMITS: Readonly<Record<string, ArchLimits>> = {
  sm_75: {
    ...base,
    maxWarpsPerSM: 32,
    maxBlocksPerSM: 16,
    sharedPerSM: 64 * KB,
    maxSharedPerBlock: 64 * KB,
    sharedReservedPerBlock: 0,
  },
  sm_80: { ...base, maxWarpsPerSM: 64, maxBlocksPerSM: 32, sharedPerSM: 164 * KB, maxSharedPerBlock: 163 * KB },
  sm_86: { ...base, maxWarpsPerSM: 48, maxBlocksPerSM: 16, sharedPerSM: 100 * KB, maxSharedPerBlock: 99 * KB },
  sm_87: { ...base, maxWarpsPerSM: 48, maxBlocksPerSM: 16, sharedPerSM: 164 * KB, maxSharedPerBlock: 163 * KB },
  sm_89: { ...base, maxWarpsPerSM: 48, maxBlocksPerSM: 24, sharedPerSM: 100 * KB, maxSharedPerBlock: 99 * KB },
  sm_90: { ...base, maxWarpsPerSM: 64, maxBlocksPerSM: 32, sharedPerSM: 228 * KB, maxSharedPerBlock: 227 * KB },
  sm_100: { ...base, maxWarpsPerSM: 64, maxBlocksPerSM: 32, sharedPerSM: 228 * KB, maxSharedPerBlock: 227 * KB },
  sm_120: { ...base, maxWarpsPerSM: 48, maxBlocksPerSM: 32, sharedPerSM: 100 * KB, maxSharedPerBlock: 99 * KB },
};

export const DEFAULT_BLOCK_SIZES = [32, 64, 128, 256, 512, 1024];

export interface OccupancyRow {
  blockSize: number;
  blocksPerSM: number;
  activeWarps: number;
  /** Active warps over the SM's maximum, 0..1. */
  occupancy: number;
  /** What stops more blocks from being resident: `warps`, `blocks`, `registers`, `shared` (or `launch` when the block cannot run at all). */
  limitedBy: 'warps' | 'blocks' | 'registers' | 'shared' | 'launch';
}

const roundUp = (n: number, unit: number) => Math.ceil(n / unit) * unit;

export function occupancy(
  limits: ArchLimits,
  kernel: { registers: number; sharedBytes: number },
  blockSize: number,
): OccupancyRow {
  const warpsPerBlock = Math.ceil(blockSize / 32);
  const registersPerWarp = roundUp(Math.max(1, kernel.registers) * 32, limits.registerAllocUnit);
  const sharedPerBlock = roundUp(kernel.sharedBytes + limits.sharedReservedPerBlock, limits.sharedAllocUnit);
  const cannotLaunch =
    blockSize > limits.maxThreadsPerBlock ||
    registersPerWarp * warpsPerBlock > limits.registersPerSM ||
    kernel.sharedBytes > limits.maxSharedPerBlock;
  if (cannotLaunch) return { blockSize, blocksPerSM: 0, activeWarps: 0, occupancy: 0, limitedBy: 'launch' };

  const bounds = {
    warps: Math.floor(limits.maxWarpsPerSM / warpsPerBlock),
    blocks: limits.maxBlocksPerSM,
    registers: Math.floor(Math.floor(limits.registersPerSM / registersPerWarp) / warpsPerBlock),
    shared: sharedPerBlock > 0 ? Math.floor(limits.sharedPerSM / sharedPerBlock) : Infinity,
  };
  const [limitedBy, blocksPerSM] = (Object.entries(bounds) as [OccupancyRow['limitedBy'], number][]).reduce(
    (best, entry) => (entry[1] < best[1] ? entry : best),
  );
  const activeWarps = blocksPerSM * warpsPerBlock;
  return {
    blockSize,
    blocksPerSM,
    activeWarps,
    occupancy: Math.round((activeWarps / limits.maxWarpsPerSM) * 1000) / 1000,
    limitedBy,
  };
}
