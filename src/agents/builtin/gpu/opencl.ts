import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { BosunError, packageRoot } from '../../../core/index.js';
import { artifactFromFile, completedEnvelope, failedEnvelope, type ResultEnvelope } from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';
import { taskFile } from '../task-file.js';
import {
  bufferFromBytes,
  filledBuffer,
  isFloat,
  type BufferSpec,
  type ElementType,
  type Fill,
  type TypedArray,
} from './buffers.js';
import { compileCheck } from './check-expression.js';
import { parseClangDiagnostics } from './nvcc-output.js';
import { formatMs, timingStats } from './timing.js';

/**
 * gpu.run for an OpenCL kernel: the JSON description (agents/gpu.yaml) becomes host buffers and
 * a line plan for the C harness shipped beside this file, which cc builds into the task folder;
 * the harness runs in the sandbox on whatever OpenCL device the ICD loader finds (pocl on the
 * CPU here), and `check` is verified element by element on the outputs it wrote back.
 */
export interface OpenClInput {
  source?: string;
  code?: string;
  kernel: string;
  global_size: number[];
  local_size?: number[];
  buffers: { name: string; type: ElementType; size?: number; fill: Fill; out: boolean }[];
  check: Record<string, string>;
  tolerance: { abs: number; rel: number };
  runs: number;
  seed: number;
  memoryMb: number;
  timeoutSeconds?: number;
}

const HARNESS_SOURCE = () => path.join(packageRoot(), 'src', 'agents', 'builtin', 'gpu', 'opencl-harness.c');
const MAX_MISMATCHES_LISTED = 10;
const HEAD = 8;

const harnessReport = z.object({ platform: z.string(), device: z.string(), kernel_ns: z.array(z.number()) });

function bufferSpecs(input: OpenClInput): BufferSpec[] {
  const elements = input.global_size.reduce((a, b) => a * b, 1);
  const seen = new Set<string>();
  return input.buffers.map((b) => {
    if (seen.has(b.name)) throw invalid(`two buffers are named '${b.name}'`);
    seen.add(b.name);
    const size = b.size ?? (Array.isArray(b.fill) ? b.fill.length : elements);
    if (Array.isArray(b.fill) && b.fill.length !== size)
      throw invalid(`buffer '${b.name}' has ${b.fill.length} values for a size of ${size}`);
    return { name: b.name, type: b.type, size, fill: b.fill, out: b.out };
  });
}

function invalid(message: string): BosunError {
  return new BosunError('INVALID_INPUT', message, { details: { retryable: false } });
}

/** The harness built from the shipped C source into this task's folder. */
async function buildHarness(ctx: AgentContext, dir: string): Promise<string> {
  const binary = path.join(dir, 'opencl-harness');
  const cc = await ctx.exec.which('cc');
  if (!cc)
    throw new BosunError('TOOL_MISSING', 'cc is not installed, so the OpenCL host harness cannot be built', {
      hint: 'apt-get install gcc ocl-icd-opencl-dev pocl-opencl-icd',
    });
  await ctx.exec.runChecked(cc, ['-O2', '-o', binary, HARNESS_SOURCE(), '-lOpenCL'], {
    timeoutMs: 60_000,
    signal: ctx.signal,
  });
  return binary;
}

/** `clinfo -l`: the platforms and devices the ICD loader sees, or why there are none. */
async function openClDevices(ctx: AgentContext): Promise<string[] | string> {
  if (!(await ctx.exec.which('clinfo'))) return 'clinfo is not installed (apt-get install clinfo pocl-opencl-icd)';
  const listed = await ctx.exec.runCommand('clinfo', ['-l'], { timeoutMs: 30_000, signal: ctx.signal });
  const devices = listed.stdout
    .split('\n')
    .filter((l) => /Device #/.test(l))
    .map((l) => l.replace(/^.*Device #\d+:\s*/, ''));
  return devices.length ? devices : 'clinfo finds no OpenCL device (apt-get install pocl-opencl-icd for the CPU)';
}

function compare(got: number, expected: number, float: boolean, tolerance: OpenClInput['tolerance']): boolean {
  if (!float) return got === expected;
  if (Number.isNaN(got) || Number.isNaN(expected)) return Number.isNaN(got) && Number.isNaN(expected);
  return Math.abs(got - expected) <= tolerance.abs + tolerance.rel * Math.abs(expected);
}

export async function runOpenCl(ctx: AgentContext, input: OpenClInput): Promise<ResultEnvelope> {
  if ((input.code === undefined) === (input.source === undefined))
    throw invalid('give either source (a .cl file in the task folder) or code (the kernel source inline)');
  if (input.local_size && input.local_size.length !== input.global_size.length)
    throw invalid(`local_size has ${input.local_size.length} dimensions, global_size ${input.global_size.length}`);
  const specs = bufferSpecs(input);
  const hosts = new Map<string, TypedArray>(specs.map((s, k) => [s.name, filledBuffer(s, input.seed + k)]));
  for (const name of Object.keys(input.check)) {
    if (!specs.find((s) => s.name === name)?.out)
      throw invalid(`check names '${name}', which is not an output buffer (out: true)`);
  }

  // Compiled before anything runs, so a bad expression costs no build. Expressions read the inputs
  // as they were sent and the outputs as they came back (`results` is updated after the run).
  const results = new Map(hosts);
  const scope = {
    buffers: Object.fromEntries(
      specs.map((s) => [s.name, { length: s.size, at: (k: number) => results.get(s.name)![k]! }]),
    ),
  };
  const compiled = Object.entries(input.check).map(([name, expression]) => ({
    name,
    expression,
    expected: compileCheck(expression, scope),
  }));

  const devices = await openClDevices(ctx);
  if (typeof devices === 'string')
    return failedEnvelope({ code: 'NO_OPENCL_DEVICE', message: devices, retryable: false });

  const dir = path.join(ctx.workDir, 'opencl');
  await fs.mkdir(dir, { recursive: true });
  const source = input.source ? await taskFile(ctx.workDir, input.source, 'kernel') : path.join(dir, 'kernel.cl');
  if (input.code !== undefined) await fs.writeFile(source, input.code);
  const harness = await buildHarness(ctx, dir);

  const plan = [
    `source ${source}`,
    `kernel ${input.kernel}`,
    `global ${input.global_size.length} ${input.global_size.join(' ')}`,
    ...(input.local_size ? [`local ${input.local_size.length} ${input.local_size.join(' ')}`] : []),
    `runs ${input.runs}`,
  ];
  for (const spec of specs) {
    const host = hosts.get(spec.name)!;
    const inFile = path.join(dir, `${spec.name}.in.bin`);
    await fs.writeFile(inFile, new Uint8Array(host.buffer, host.byteOffset, host.byteLength));
    const outFile = spec.out ? path.join(dir, `${spec.name}.bin`) : '-';
    plan.push(`buffer ${host.BYTES_PER_ELEMENT} ${spec.size} ${inFile} ${outFile}`);
  }
  const planFile = path.join(dir, 'plan.txt');
  await fs.writeFile(planFile, `${plan.join('\n')}\n`);

  const timeoutMs = Math.min(Math.max(1_000, ctx.timeoutMs - 2_000), (input.timeoutSeconds ?? Infinity) * 1000);
  ctx.progress({ message: `running ${input.kernel} ${input.runs}× on ${devices[0]}` });
  const result = await ctx.exec.runSandboxed([harness, planFile], {
    workDir: ctx.workDir,
    memoryMb: input.memoryMb,
    timeoutMs,
    signal: ctx.signal,
    env: { HOME: dir, POCL_CACHE_DIR: path.join(dir, 'pocl-cache') },
  });
  const base = { kernel: input.kernel, globalSize: input.global_size, localSize: input.local_size ?? null };
  const outputs: Record<string, unknown> = {
    language: 'opencl',
    ...base,
    devices,
    stderr: result.stderr,
    sandbox: result.sandbox,
  };

  if (result.exitCode === 2) {
    const diagnostics = parseClangDiagnostics(result.stderr, path.relative(ctx.workDir, source));
    const first = diagnostics.find((d) => d.severity === 'error');
    const where = first ? `: ${first.file}:${first.line}: ${first.message}` : '';
    return failedEnvelope(
      { code: 'BUILD_FAILED', message: `the OpenCL kernel did not build${where}`, retryable: false },
      { outputs: { ...outputs, diagnostics } },
    );
  }
  if (!result.ok) {
    const why = result.timedOut ? `ran longer than ${timeoutMs / 1000} s` : `exited with code ${result.exitCode}`;
    const detail = result.stderr.trim().split('\n').at(-1) ?? '';
    return failedEnvelope(
      {
        code: result.timedOut ? 'TIMEOUT' : 'RUN_FAILED',
        message: `the OpenCL run ${why}: ${detail}`,
        retryable: false,
      },
      { outputs },
    );
  }

  const report = harnessReport.parse(JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}'));
  const artifacts = [];
  for (const spec of specs.filter((s) => s.out)) {
    const file = path.join(dir, `${spec.name}.bin`);
    results.set(spec.name, bufferFromBytes(spec.type, await fs.readFile(file)));
    artifacts.push(await artifactFromFile(file, 'application/octet-stream', `opencl/${spec.name}.bin`));
  }

  const checks = compiled.map(({ name, expression, expected }) => {
    const spec = specs.find((s) => s.name === name)!;
    const got = results.get(name)!;
    const mismatches: { index: number; got: number; expected: number }[] = [];
    let count = 0;
    for (let i = 0; i < got.length; i++) {
      const want = expected(i);
      if (!compare(got[i]!, want, isFloat(spec.type), input.tolerance)) {
        count++;
        if (mismatches.length < MAX_MISMATCHES_LISTED) mismatches.push({ index: i, got: got[i]!, expected: want });
      }
    }
    return {
      buffer: name,
      expression,
      checked: got.length,
      ok: count === 0,
      mismatches: count,
      firstMismatches: mismatches,
    };
  });

  const timing = timingStats(report.kernel_ns.map((ns) => ns / 1e6));
  Object.assign(outputs, {
    platform: report.platform,
    device: report.device,
    timing: { ...timing, unit: 'ms', what: 'kernel execution (OpenCL profiling events)' },
    buffers: specs
      .filter((s) => s.out)
      .map((s) => ({
        name: s.name,
        type: s.type,
        size: s.size,
        head: Array.from(results.get(s.name)!.slice(0, HEAD)),
      })),
    checks,
  });
  const metrics = { runs: timing.runs, minMs: timing.min, medianMs: timing.median, maxMs: timing.max };
  const failing = checks.filter((c) => !c.ok);
  if (failing.length) {
    const named = failing
      .map((c) => {
        const m = c.firstMismatches
          .slice(0, 3)
          .map((x) => `${c.buffer}[${x.index}] = ${x.got}, expected ${x.expected}`)
          .join('; ');
        return `${c.mismatches} of ${c.checked} elements of ${c.buffer} differ from '${c.expression}' (${m})`;
      })
      .join('; ');
    return failedEnvelope({ code: 'CHECK_FAILED', message: named, retryable: false }, { outputs, artifacts, metrics });
  }
  const checked = checks.length
    ? `, ${checks.map((c) => `${c.buffer} checked (${c.checked} elements)`).join(', ')}`
    : '';
  return completedEnvelope({
    summary: `${input.kernel} ran ${timing.runs}× on ${report.device}: median ${formatMs(timing.median)}${checked}`,
    outputs,
    artifacts,
    metrics,
  });
}
