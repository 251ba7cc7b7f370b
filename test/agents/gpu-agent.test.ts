import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAgent, type AgentRegistry } from '../../src/agents/index.js';
import { ARCH_LIMITS, occupancy } from '../../src/agents/builtin/gpu/occupancy.js';
import { runBosun } from '../support/cli.js';
import { agentsFixture, type AgentsFixture } from './fixtures.js';

function found(command: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const hasNvcc = found('nvcc') || fs.existsSync('/usr/local/cuda/bin/nvcc');
const hasGpu = (() => {
  try {
    return execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8' }).includes('GPU');
  } catch {
    return false;
  }
})();
const openClDevice = (() => {
  try {
    return /Device #/.test(execFileSync('clinfo', ['-l'], { encoding: 'utf8' })) && found('cc');
  } catch {
    return false;
  }
})();
if (!hasNvcc) console.warn('gpu agent tests: nvcc is not installed, CUDA compile tests skip');
if (!hasGpu)
  console.warn('gpu agent tests: nvidia-smi finds no GPU, the CUDA run test skips (the no-GPU answer is tested)');
if (!openClDevice) console.warn('gpu agent tests: no OpenCL device (clinfo -l) or no cc, OpenCL tests skip');

/** A float32 file as written by the harness (copied: a small Buffer may sit at an offset in Node's pool). */
const floats = (file: string) => new Float32Array(new Uint8Array(fs.readFileSync(file)).buffer);

const SAXPY = `__constant__ float scale[16];
__global__ void saxpy(int n, float a, const float* x, float* y) {
  __shared__ float tile[256];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  tile[threadIdx.x] = i < n ? x[i] : 0.0f;
  __syncthreads();
  if (i < n) y[i] = a * tile[threadIdx.x] * scale[0] + y[i];
}
`;

const VECTOR_ADD = `__kernel void vadd(__global const float* a, __global const float* b, __global float* c) {
  size_t i = get_global_id(0);
  c[i] = a[i] + b[i];
}
`;

// Each work-group sums its 64 elements in local memory: the classic tree reduction.
const REDUCE = `__kernel void partial_sums(__global const float* x, __global float* sums) {
  __local float scratch[64];
  size_t lid = get_local_id(0);
  scratch[lid] = x[get_global_id(0)];
  barrier(CLK_LOCAL_MEM_FENCE);
  for (size_t stride = get_local_size(0) / 2; stride > 0; stride /= 2) {
    if (lid < stride) scratch[lid] += scratch[lid + stride];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (lid == 0) sums[get_group_id(0)] = scratch[0];
}
`;

interface Occupancy {
  blockSize: number;
  occupancy: number;
  limitedBy: string;
}
interface Kernel {
  name: string;
  demangled: string;
  arch: string;
  registers: number;
  sharedBytes: number;
  constantBytes: Record<string, number>;
  spillStoreBytes: number;
  occupancy: Occupancy[] | null;
}

describe('the GPU agent', () => {
  let f: AgentsFixture;
  let registry: AgentRegistry;
  let scratch: string;
  let n = 0;
  const run = async (skillId: string, input: Record<string, unknown>, workDir?: string) => {
    const dir = workDir ?? fs.mkdtempSync(path.join(scratch, `run-${++n}-`));
    const envelope = await executeAgent({
      registry,
      agentId: 'gpu',
      skillId,
      input,
      workDir: dir,
      scope: 'tests',
      noCache: true,
    });
    return { envelope, outputs: envelope.outputs as Record<string, any>, dir };
  };

  beforeAll(async () => {
    f = await agentsFixture();
    registry = await f.open();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-gpu-'));
  });
  afterAll(async () => {
    await f.cleanup();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('computes occupancy as the CUDA occupancy calculator does', () => {
    const sm80 = ARCH_LIMITS.sm_80!;
    // 64 registers: 2048 per warp, 32 warps fit the register file → 4 blocks of 256 → 50 %.
    expect(occupancy(sm80, { registers: 64, sharedBytes: 0 }, 256)).toMatchObject({
      blocksPerSM: 4,
      occupancy: 0.5,
      limitedBy: 'registers',
    });
    // 48 KB static shared + 1 KB reserved per block: 3 blocks in 164 KB → 12 of 64 warps.
    expect(occupancy(sm80, { registers: 16, sharedBytes: 48 * 1024 }, 128)).toMatchObject({
      blocksPerSM: 3,
      occupancy: 0.188,
      limitedBy: 'shared',
    });
    // Tiny blocks hit the 32-blocks-per-SM cap first.
    expect(occupancy(sm80, { registers: 8, sharedBytes: 0 }, 32)).toMatchObject({
      occupancy: 0.5,
      limitedBy: 'blocks',
    });
    // 255 registers × 1024 threads exceed the register file: the block cannot launch.
    expect(occupancy(sm80, { registers: 255, sharedBytes: 0 }, 1024)).toMatchObject({
      occupancy: 0,
      limitedBy: 'launch',
    });
  });

  it.skipIf(!hasNvcc)(
    'compiles CUDA for two architectures: registers, shared and constant memory, spills, occupancy and PTX',
    async () => {
      const { envelope, outputs, dir } = await run('gpu.compile', { code: SAXPY, arch: ['sm_80', 'sm_90'] });
      expect(envelope.status, envelope.summary).toBe('completed');
      const kernels = outputs.kernels as Kernel[];
      expect(kernels.map((k) => k.arch).sort()).toEqual(['sm_80', 'sm_90']);
      for (const k of kernels) {
        expect(k.name).toBe('_Z5saxpyifPKfPf');
        expect(k.demangled).toBe('saxpy(int, float, float const*, float*)');
        expect(k.registers).toBeGreaterThan(0);
        expect(k.sharedBytes).toBe(1024); // tile[256] floats
        expect(k.spillStoreBytes).toBe(0);
        expect(k.occupancy!.map((o) => o.blockSize)).toEqual([32, 64, 128, 256, 512, 1024]);
        const expected = occupancy(ARCH_LIMITS[k.arch]!, k, 256);
        expect(k.occupancy!.find((o) => o.blockSize === 256)).toEqual(expected);
      }
      // scale[16] floats in the module's constant bank, on each architecture.
      expect(outputs.modules).toEqual(
        expect.arrayContaining([expect.objectContaining({ arch: 'sm_80', constantBytes: 64 })]),
      );
      expect(outputs.ptx).toEqual(['cuda/kernel.sm_80.ptx', 'cuda/kernel.sm_90.ptx']);
      const ptx = fs.readFileSync(path.join(dir, 'cuda', 'kernel.sm_80.ptx'), 'utf8');
      expect(ptx).toContain('.entry _Z5saxpyifPKfPf');
      expect(ptx).toContain('.target sm_80');
      // SASS needs cuobjdump: a file where it exists, otherwise a note that says why not.
      if (outputs.sass.file) expect(fs.readFileSync(path.join(dir, outputs.sass.file), 'utf8')).toContain('saxpy');
      else expect(outputs.sass.note).toMatch(/cuobjdump is not installed/);
    },
    60_000,
  );

  it.skipIf(!hasNvcc)(
    'reports a compiler error with its file and line',
    async () => {
      const dir = fs.mkdtempSync(path.join(scratch, 'broken-'));
      fs.writeFileSync(
        path.join(dir, 'broken.cu'),
        '__global__ void k(float* y) {\n  y[0] = 1.0f;\n  y[1] = undefined_name;\n}\n',
      );
      const { envelope, outputs } = await run('gpu.compile', { source: 'broken.cu', arch: ['sm_80'] }, dir);
      expect(envelope.status).toBe('failed');
      expect(envelope.error).toMatchObject({ code: 'COMPILE_FAILED', retryable: false });
      expect(envelope.error!.message).toMatch(/broken\.cu:3: identifier "undefined_name" is undefined/);
      expect(outputs.diagnostics[0]).toEqual({
        file: 'broken.cu',
        line: 3,
        severity: 'error',
        message: 'identifier "undefined_name" is undefined',
      });
    },
    60_000,
  );

  it.skipIf(!hasNvcc)(
    'reports spills under a register cap, and rejects nvcc flags outside the safe set',
    async () => {
      const heavy = `__global__ void heavy(const float* x, float* y, int n) {
  float acc[64];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  #pragma unroll
  for (int k = 0; k < 64; k++) acc[k] = x[(i + k * 97) % n] * (k + 1);
  float s = 0.0f;
  #pragma unroll
  for (int k = 0; k < 64; k++) s += acc[k] * acc[63 - k] + acc[(k * 7) % 64];
  y[i] = s;
}
`;
      const { envelope, outputs } = await run('gpu.compile', {
        code: heavy,
        arch: ['sm_80'],
        flags: ['--maxrregcount=16'],
      });
      expect(envelope.status, envelope.summary).toBe('completed');
      const [kernel] = outputs.kernels as Kernel[];
      expect(kernel!.spillStoreBytes).toBeGreaterThan(0);
      expect(envelope.summary).toMatch(/, 1 spilling/);
      expect(envelope.metrics.spillingKernels).toBe(1);

      // --run would execute the build on the host; -ccbin would pick another compiler.
      for (const flag of ['--run', '-ccbin=/tmp/evil']) {
        const rejected = await run('gpu.compile', { code: heavy, flags: [flag] });
        expect(rejected.envelope.status, flag).toBe('rejected');
        expect(rejected.envelope.error!.message).toContain('input.flags[0]');
      }
    },
    60_000,
  );

  it.skipIf(hasGpu)(
    'refuses a CUDA run without a GPU, saying so, and reports no timing (no GPU on this machine)',
    async () => {
      const { envelope, outputs } = await run('gpu.run', { code: 'int main() { return 0; }' });
      expect(envelope.status).toBe('failed');
      expect(envelope.error).toMatchObject({ code: 'NO_GPU', retryable: false });
      expect(envelope.error!.message).toMatch(/no NVIDIA GPU here .*no timing is reported/);
      expect(outputs.timing).toBeUndefined();
      expect(Object.keys(envelope.metrics)).not.toContain('medianMs');
    },
  );

  it.skipIf(!hasGpu || !hasNvcc)(
    'builds and times a CUDA program on the GPU (needs an NVIDIA GPU)',
    async () => {
      const code = `#include <cstdio>
__global__ void fill(int* y) { y[threadIdx.x] = threadIdx.x; }
int main() { int* d; cudaMalloc(&d, 256 * sizeof(int)); fill<<<1, 256>>>(d); int h[256];
  cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost); printf("%d\\n", h[255]); return h[255] == 255 ? 0 : 1; }`;
      const { envelope, outputs } = await run('gpu.run', { code, runs: 3 });
      expect(envelope.status, envelope.summary).toBe('completed');
      expect(outputs.stdout).toBe('255\n');
      expect(outputs.timing.samples).toHaveLength(3);
    },
    120_000,
  );

  it.skipIf(!openClDevice)(
    'runs an OpenCL vector add on the CPU device, checks it element-wise and times 5 runs',
    async () => {
      const b = Array.from({ length: 1024 }, (_, i) => (i % 10) * 0.25);
      const { envelope, outputs, dir } = await run('gpu.run', {
        code: VECTOR_ADD,
        kernel: 'vadd',
        global_size: [1024],
        local_size: [64],
        buffers: [
          { name: 'a', fill: 'index' },
          { name: 'b', fill: b },
          { name: 'c', out: true },
        ],
        check: { c: 'a + b' },
      });
      expect(envelope.status, envelope.summary).toBe('completed');
      expect(outputs.checks).toEqual([
        { buffer: 'c', expression: 'a + b', checked: 1024, ok: true, mismatches: 0, firstMismatches: [] },
      ]);
      // The reference computed here, independently of the agent's check.
      const c = floats(path.join(dir, 'opencl', 'c.bin'));
      expect(c).toHaveLength(1024);
      c.forEach((value, i) => expect(value).toBeCloseTo(i + b[i]!, 4));
      expect(outputs.timing.runs).toBe(5);
      expect(outputs.timing.samples).toHaveLength(5);
      expect(outputs.timing.min).toBeLessThanOrEqual(outputs.timing.median);
      expect(outputs.timing.median).toBeLessThanOrEqual(outputs.timing.max);
      expect(outputs.device).toEqual(expect.any(String));
      expect(outputs.sandbox.network).not.toBe('allowed');
      expect(envelope.artifacts.map((a) => a.name)).toEqual(['opencl/c.bin']);
    },
    120_000,
  );

  it.skipIf(!openClDevice)(
    'runs a work-group reduction on the CPU device and checks the partial sums against sum()',
    async () => {
      const dir = fs.mkdtempSync(path.join(scratch, 'reduce-'));
      fs.writeFileSync(path.join(dir, 'reduce.cl'), REDUCE);
      const x = Array.from({ length: 4096 }, (_, i) => ((i * 37) % 101) / 8);
      const { envelope, outputs } = await run(
        'gpu.run',
        {
          source: 'reduce.cl',
          kernel: 'partial_sums',
          global_size: [4096],
          local_size: [64],
          buffers: [
            { name: 'x', fill: x },
            { name: 'sums', size: 64, out: true },
          ],
          check: { sums: 'sum(x, i * 64, 64)' },
          runs: 3,
        },
        dir,
      );
      expect(envelope.status, envelope.summary).toBe('completed');
      expect(outputs.checks[0]).toMatchObject({ buffer: 'sums', ok: true, checked: 64 });
      const sums = floats(path.join(dir, 'opencl', 'sums.bin'));
      const total = sums.reduce((s, v) => s + v, 0);
      expect(total).toBeCloseTo(
        x.reduce((s, v) => s + v, 0),
        1,
      );
      expect(outputs.timing.samples).toHaveLength(3);
    },
    120_000,
  );

  it.skipIf(!openClDevice)(
    'fails a kernel whose output does not hold the check, naming the first mismatches',
    async () => {
      const { envelope, outputs } = await run('gpu.run', {
        code: VECTOR_ADD.replace('a[i] + b[i]', 'a[i] - b[i]'),
        kernel: 'vadd',
        global_size: [256],
        buffers: [
          { name: 'a', fill: 'random' },
          { name: 'b', fill: 'random' },
          { name: 'c', out: true },
        ],
        check: { c: 'a + b' },
        runs: 1,
      });
      expect(envelope.status).toBe('failed');
      expect(envelope.error!.code).toBe('CHECK_FAILED');
      expect(envelope.error!.message).toMatch(/^256 of 256 elements of c differ from 'a \+ b' \(c\[0\] = /);
      expect(outputs.checks[0].firstMismatches).toHaveLength(10);
    },
    120_000,
  );

  it.skipIf(!openClDevice)(
    'reports an OpenCL build error with its line',
    async () => {
      const { envelope, outputs } = await run('gpu.run', {
        code: '__kernel void k(__global float* y) {\n  y[0] = missing;\n}\n',
        kernel: 'k',
        global_size: [1],
        buffers: [{ name: 'y', out: true }],
      });
      expect(envelope.status).toBe('failed');
      expect(envelope.error!.code).toBe('BUILD_FAILED');
      expect(outputs.diagnostics[0]).toMatchObject({ file: 'opencl/kernel.cl', line: 2, severity: 'error' });
      expect(envelope.error!.message).toMatch(/opencl\/kernel\.cl:2: .*missing/);
    },
    120_000,
  );

  it.skipIf(!openClDevice)(
    'runs an OpenCL description from a JSON file through the CLI',
    async () => {
      const dir = fs.mkdtempSync(path.join(scratch, 'cli-'));
      fs.writeFileSync(path.join(dir, 'vadd.cl'), VECTOR_ADD);
      const description = {
        source: 'vadd.cl',
        kernel: 'vadd',
        global_size: [512],
        buffers: [
          { name: 'a', fill: 'random' },
          { name: 'b', fill: 'index' },
          { name: 'c', out: true },
        ],
        check: { c: 'a + b' },
        runs: 3,
      };
      fs.writeFileSync(path.join(dir, 'vadd.json'), JSON.stringify(description));
      const cli = await runBosun(
        ['agents', 'run', 'gpu', 'gpu.run', '--input-file', path.join(dir, 'vadd.json'), '--work-dir', dir, '--json'],
        { home: f.home, env: { BOSUN_DATABASE_URL: f.db.url } },
      );
      expect(cli.exitCode, cli.stderr).toBe(0);
      expect(cli.json.envelope.status).toBe('completed');
      expect(cli.json.envelope.outputs.checks[0]).toMatchObject({ buffer: 'c', ok: true, checked: 512 });
      expect(cli.json.envelope.outputs.timing.samples).toHaveLength(3);
    },
    120_000,
  );

  it('rejects a check expression that is not arithmetic over the buffers before running anything', async () => {
    const { envelope } = await run('gpu.run', {
      code: VECTOR_ADD,
      kernel: 'vadd',
      global_size: [4],
      buffers: [{ name: 'a' }, { name: 'b' }, { name: 'c', out: true }],
      check: { c: 'process.exit(1)' },
    });
    expect(envelope.status).toBe('failed');
    expect(envelope.error!.message).toMatch(/check expression 'process.exit\(1\)'/);
  });
});
