import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError } from '../../../core/index.js';
import type { SandboxResult } from '../../../exec/index.js';
import {
  artifactFromFile,
  completedEnvelope,
  failedEnvelope,
  type Artifact,
  type ResultEnvelope,
} from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';
import { taskFile } from '../task-file.js';
import { parseNvccDiagnostics, parsePtxasInfo, type Diagnostic } from './nvcc-output.js';
import { ARCH_LIMITS, DEFAULT_BLOCK_SIZES, occupancy } from './occupancy.js';
import { formatMs, timingStats } from './timing.js';

/** gpu.compile (nvcc -Xptxas -v, PTX, SASS, occupancy) and the CUDA half of gpu.run (only with a GPU). */
export interface CudaSource {
  source?: string;
  code?: string;
}
export interface CompileInput extends CudaSource {
  arch: string[];
  flags: string[];
  block_sizes?: number[];
}
export interface CudaRunInput extends CudaSource {
  binary?: string;
  args: string[];
  runs: number;
  flags: string[];
  memoryMb: number;
  timeoutSeconds?: number;
}

/** nvcc and its companions, on PATH or in the toolkit's usual place. */
async function cudaTool(ctx: AgentContext, name: string): Promise<string | null> {
  return (await ctx.exec.which(name)) ?? (await ctx.exec.which(`/usr/local/cuda/bin/${name}`));
}

/** The source file to compile, relative to the task folder (so diagnostics name it as the user knows it). */
async function sourceFile(ctx: AgentContext, input: CudaSource, dir: string): Promise<string> {
  if ((input.code === undefined) === (input.source === undefined))
    throw new BosunError('INVALID_INPUT', 'give either source (a .cu file in the task folder) or code (inline CUDA)', {
      details: { retryable: false },
    });
  const file = input.source ? await taskFile(ctx.workDir, input.source, 'source') : path.join(dir, 'kernel.cu');
  if (input.code !== undefined) await fs.writeFile(file, input.code);
  return path.relative(await fs.realpath(ctx.workDir), await fs.realpath(file));
}

function compileFailed(diagnostics: Diagnostic[], stderr: string, outputs: Record<string, unknown>): ResultEnvelope {
  const first = diagnostics.find((d) => d.severity === 'error');
  const where = first
    ? `${first.file ? `${first.file}:${first.line}: ` : ''}${first.message}`
    : (stderr.trim().split('\n').at(-1) ?? 'no message');
  const count = diagnostics.filter((d) => d.severity === 'error').length;
  return failedEnvelope(
    {
      code: 'COMPILE_FAILED',
      message: `nvcc failed${count > 1 ? ` with ${count} errors` : ''}: ${where}`,
      retryable: false,
    },
    { outputs: { ...outputs, diagnostics, stderr } },
  );
}

async function demangle(ctx: AgentContext, names: string[]): Promise<Map<string, string>> {
  const map = new Map(names.map((n) => [n, n]));
  if (!names.length || !(await ctx.exec.which('c++filt'))) return map;
  const result = await ctx.exec.runCommand('c++filt', names, { timeoutMs: 10_000 });
  if (result.ok)
    result.stdout
      .trimEnd()
      .split('\n')
      .forEach((line, k) => map.set(names[k]!, line));
  return map;
}

const NO_CUDA = () =>
  failedEnvelope({
    code: 'TOOL_MISSING',
    message: 'nvcc is not installed here, so CUDA code cannot be compiled',
    retryable: false,
  });

export async function compileCuda(ctx: AgentContext, input: CompileInput): Promise<ResultEnvelope> {
  const nvcc = await cudaTool(ctx, 'nvcc');
  if (!nvcc) return NO_CUDA();
  for (const arch of input.arch) {
    if (!ARCH_LIMITS[arch]) ctx.logger.warn({ arch }, 'no occupancy limits for this architecture');
  }
  const dir = path.join(ctx.workDir, 'cuda');
  const keep = path.join(dir, '.nvcc');
  await fs.mkdir(keep, { recursive: true });
  const source = await sourceFile(ctx, input, dir);
  const stem = path.basename(source).replace(/\.cu$/, '');
  const object = path.join(dir, `${stem}.o`);
  const gencode = input.arch.flatMap((a) => ['-gencode', `arch=${a.replace('sm_', 'compute_')},code=${a}`]);
  ctx.progress({ message: `nvcc ${source} for ${input.arch.join(', ')}` });
  const result = await ctx.exec.runSandboxed(
    [nvcc, '-Xptxas', '-v', ...gencode, ...input.flags, '-c', source, '-o', object, '-keep', '-keep-dir', keep],
    { workDir: ctx.workDir, memoryMb: 8192, timeoutMs: Math.max(1_000, ctx.timeoutMs - 2_000), signal: ctx.signal },
  );
  const diagnostics = parseNvccDiagnostics(result.stderr);
  const outputs: Record<string, unknown> = { language: 'cuda', source, arch: input.arch, sandbox: result.sandbox };
  if (!result.ok) {
    await fs.rm(keep, { recursive: true, force: true });
    return compileFailed(diagnostics, result.stderr, outputs);
  }

  const artifacts: Artifact[] = [];
  for (const arch of input.arch) {
    const kept = path.join(keep, `${stem}.${arch.replace('sm_', 'compute_')}.ptx`);
    const ptx = path.join(dir, `${stem}.${arch}.ptx`);
    if (
      await fs.rename(kept, ptx).then(
        () => true,
        () => false,
      )
    )
      artifacts.push(await artifactFromFile(ptx, 'text/plain', `cuda/${stem}.${arch}.ptx`));
  }
  await fs.rm(keep, { recursive: true, force: true });

  const cuobjdump = await cudaTool(ctx, 'cuobjdump');
  let sass: { file: string | null; note?: string } = {
    file: null,
    note: 'cuobjdump is not installed (Debian: nvidia-cuda-toolkit), so there is no SASS listing',
  };
  if (cuobjdump) {
    const dump = await ctx.exec.runCommand(cuobjdump, ['-sass', object], {
      timeoutMs: 60_000,
      maxOutputBytes: 16 << 20,
    });
    if (dump.ok) {
      const file = path.join(dir, `${stem}.sass`);
      await fs.writeFile(file, dump.stdout);
      artifacts.push(await artifactFromFile(file, 'text/plain', `cuda/${stem}.sass`));
      sass = { file: `cuda/${stem}.sass` };
    } else sass = { file: null, note: `cuobjdump failed: ${dump.stderr.trim().split('\n').at(-1)}` };
  }

  const { kernels: resources, modules } = parsePtxasInfo(result.stderr);
  const names = await demangle(ctx, [...new Set(resources.map((k) => k.name))]);
  const blockSizes = input.block_sizes ?? DEFAULT_BLOCK_SIZES;
  const kernels = resources.map((k) => {
    const limits = ARCH_LIMITS[k.arch];
    return {
      ...k,
      demangled: names.get(k.name) ?? k.name,
      occupancy: limits ? blockSizes.map((size) => occupancy(limits, k, size)) : null,
    };
  });
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  const spills = kernels.filter((k) => k.spillStoreBytes + k.spillLoadBytes > 0);
  Object.assign(outputs, {
    kernels,
    modules,
    diagnostics: warnings,
    ptx: artifacts.filter((a) => a.name.endsWith('.ptx')).map((a) => a.name),
    sass,
  });
  return completedEnvelope({
    summary:
      `compiled ${source} for ${input.arch.join(', ')}: ${new Set(kernels.map((k) => k.name)).size} kernel(s), ` +
      `at most ${Math.max(0, ...kernels.map((k) => k.registers))} registers per thread` +
      (spills.length ? `, ${spills.length} spilling` : ', no spills') +
      (warnings.length ? `, ${warnings.length} warning(s)` : ''),
    outputs,
    artifacts,
    metrics: {
      kernels: kernels.length,
      maxRegisters: Math.max(0, ...kernels.map((k) => k.registers)),
      spillingKernels: spills.length,
      compileMs: result.durationMs,
    },
  });
}

/** The GPUs nvidia-smi lists, or why there are none. */
async function nvidiaGpus(ctx: AgentContext): Promise<string[] | string> {
  if (!(await ctx.exec.which('nvidia-smi'))) return 'nvidia-smi is not installed (no NVIDIA driver on this machine)';
  const listed = await ctx.exec.runCommand(
    'nvidia-smi',
    ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader'],
    { timeoutMs: 30_000, signal: ctx.signal },
  );
  const gpus = listed.ok
    ? listed.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
    : [];
  if (gpus.length) return gpus;
  return `nvidia-smi finds no GPU${listed.ok ? '' : `: ${listed.stderr.trim().split('\n').at(-1) ?? listed.exitCode}`}`;
}

export async function runCuda(ctx: AgentContext, input: CudaRunInput): Promise<ResultEnvelope> {
  const gpus = await nvidiaGpus(ctx);
  if (typeof gpus === 'string') {
    return failedEnvelope(
      {
        code: 'NO_GPU',
        message: `no NVIDIA GPU here (${gpus}): the CUDA program was not run and no timing is reported`,
        retryable: false,
      },
      {
        outputs: {
          language: 'cuda',
          gpu: null,
          reason: gpus,
          alternatives: [
            'gpu.compile reports registers, shared memory, spills and occupancy without a GPU',
            'gpu.run with an OpenCL kernel (kernel, global_size, buffers) runs on the CPU through pocl',
          ],
        },
      },
    );
  }
  const timeoutMs = Math.min(Math.max(1_000, ctx.timeoutMs - 2_000), (input.timeoutSeconds ?? Infinity) * 1000);
  const dir = path.join(ctx.workDir, 'cuda');
  await fs.mkdir(dir, { recursive: true });
  let binary: string;
  if (input.binary !== undefined) binary = await taskFile(ctx.workDir, input.binary, 'binary');
  else {
    const nvcc = await cudaTool(ctx, 'nvcc');
    if (!nvcc) return NO_CUDA();
    const source = await sourceFile(ctx, input, dir);
    binary = path.join(dir, path.basename(source).replace(/\.cu$/, ''));
    const built = await ctx.exec.runSandboxed([nvcc, '-O3', '-arch=native', ...input.flags, source, '-o', binary], {
      workDir: ctx.workDir,
      memoryMb: 8192,
      timeoutMs,
      signal: ctx.signal,
    });
    if (!built.ok) return compileFailed(parseNvccDiagnostics(built.stderr), built.stderr, { language: 'cuda', source });
  }
  const samples: number[] = [];
  let last: SandboxResult | undefined;
  for (let r = 0; r < input.runs; r++) {
    ctx.progress({ message: `run ${r + 1} of ${input.runs} on ${gpus[0]}`, fraction: r / input.runs });
    last = await ctx.exec.runSandboxed([binary, ...input.args], {
      workDir: ctx.workDir,
      memoryMb: input.memoryMb,
      timeoutMs,
      signal: ctx.signal,
    });
    if (!last.ok) {
      return failedEnvelope(
        {
          code: last.timedOut ? 'TIMEOUT' : 'RUN_FAILED',
          message: `run ${r + 1} ${last.timedOut ? 'timed out' : `exited with code ${last.exitCode}`}`,
          retryable: false,
        },
        { outputs: { language: 'cuda', gpus, stdout: last.stdout, stderr: last.stderr, sandbox: last.sandbox } },
      );
    }
    samples.push(last.durationMs);
  }
  const timing = timingStats(samples);
  return completedEnvelope({
    summary: `ran ${path.basename(binary)} ${timing.runs}× on ${gpus[0]}: median ${formatMs(timing.median)} (wall time per process)`,
    outputs: {
      language: 'cuda',
      gpus,
      stdout: last!.stdout,
      stderr: last!.stderr,
      timing: { ...timing, unit: 'ms', what: 'wall time of each process run' },
      sandbox: last!.sandbox,
    },
    metrics: { runs: timing.runs, minMs: timing.min, medianMs: timing.median, maxMs: timing.max },
  });
}
