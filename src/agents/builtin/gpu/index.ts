import { BosunError } from '../../../core/index.js';
import { sha256File } from '../../envelope.js';
import type { AgentExecutor } from '../../runtime/types.js';
import { taskFile } from '../task-file.js';
import { compileCuda, runCuda, type CompileInput, type CudaRunInput } from './cuda.js';
import { runOpenCl, type OpenClInput } from './opencl.js';

/**
 * The GPU agent. gpu.compile needs only nvcc (no GPU): resources per kernel, occupancy, PTX and
 * SASS. gpu.run takes either a CUDA program (run only where nvidia-smi finds a GPU; elsewhere it
 * fails saying so, never with an invented timing) or an OpenCL kernel with its buffers, which
 * runs on any OpenCL device, the CPU through pocl included. Input fields are those of
 * agents/gpu.yaml, validated before run().
 */
type RunInput = CudaRunInput & Partial<OpenClInput>;

/** An OpenCL description names its kernel; a CUDA program is a whole program with main(). */
const isOpenCl = (input: RunInput): input is RunInput & OpenClInput =>
  input.kernel !== undefined || /\.cl$/i.test(input.source ?? '');

export const gpuAgent: AgentExecutor = {
  async run(ctx) {
    const input = ctx.input as unknown as RunInput & CompileInput;
    switch (ctx.skillId) {
      case 'gpu.compile':
        return compileCuda(ctx, input);
      case 'gpu.run':
        if (!isOpenCl(input)) return runCuda(ctx, input);
        if (!input.global_size || !input.buffers)
          throw new BosunError('INVALID_INPUT', 'an OpenCL run needs kernel, global_size and buffers', {
            details: { retryable: false },
          });
        return runOpenCl(ctx, input);
      default:
        throw new BosunError('INVALID_INPUT', `the gpu agent has no skill '${ctx.skillId}'`, {
          details: { retryable: false },
        });
    }
  },
  // The same file name with other content is another kernel; a CUDA run depends on the GPU found.
  async cacheFingerprint(ctx) {
    const input = ctx.input as unknown as RunInput;
    const file = input.source ?? input.binary;
    const content =
      file === undefined ? null : await taskFile(ctx.workDir, file, 'source').then(sha256File, () => null);
    return { content };
  },
};
