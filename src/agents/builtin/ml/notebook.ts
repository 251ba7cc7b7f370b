import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError } from '../../../core/index.js';
import { artifactFromFile, completedEnvelope, failedEnvelope, type ResultEnvelope } from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';
import { runScript } from './script.js';

export interface NotebookInput {
  notebook: string;
  parameters: Record<string, unknown>;
  kernel: string;
  timeout_s: number;
  memoryMb: number;
}

interface NotebookResult {
  cells: number;
  executed: number;
  seconds: number;
  output: string;
  html: string;
  error: { cell: number; ename: string; evalue: string; traceback: string } | null;
}

/**
 * notebook.run: executes a Jupyter notebook headless (nbclient, ipykernel) in the sandbox with
 * the parameters injected after its `parameters` cell, and keeps the executed notebook and its
 * HTML export; a cell that raises fails the run, naming the cell and carrying its traceback.
 */
export async function runNotebook(ctx: AgentContext, input: NotebookInput): Promise<ResultEnvelope> {
  const notebook = path.resolve(ctx.workDir, input.notebook);
  await fs.access(notebook).catch(() => {
    throw new BosunError('INVALID_INPUT', `notebook ${input.notebook} does not exist (looked at ${notebook})`, {
      details: { retryable: false },
    });
  });
  const stem = path.basename(notebook, '.ipynb');
  const output = path.join(ctx.workDir, `${stem}.executed.ipynb`);
  const html = path.join(ctx.workDir, `${stem}.executed.html`);
  await fs.mkdir(path.join(ctx.workDir, '.ml'), { recursive: true });
  ctx.progress({ message: `running ${path.basename(notebook)}` });
  const { result, sandbox } = await runScript<NotebookResult>(
    ctx,
    'bosun_notebook.py',
    ctx.workDir,
    {
      notebook,
      parameters: input.parameters,
      kernel: input.kernel,
      cell_timeout_s: input.timeout_s,
      cwd: path.dirname(notebook),
      socket_prefix: path.join(ctx.workDir, '.ml', 'kernel'),
      output,
      html,
    },
    { memoryMb: input.memoryMb, readOnly: [notebook] },
  );
  const artifacts = await Promise.all([
    artifactFromFile(output, 'application/x-ipynb+json'),
    artifactFromFile(html, 'text/html'),
  ]);
  const outputs = {
    notebook: output,
    html,
    cells: result.cells,
    executed: result.executed,
    error: result.error,
    sandbox,
  };
  const metrics = { cells: result.cells, executed: result.executed, seconds: result.seconds };
  if (result.error)
    return failedEnvelope(
      {
        code: 'CELL_FAILED',
        message: `cell ${result.error.cell} raised ${result.error.ename}: ${result.error.evalue}\n${result.error.traceback}`,
        retryable: false,
      },
      {
        summary: `cell ${result.error.cell} raised ${result.error.ename}: ${result.error.evalue}`,
        outputs,
        artifacts,
        metrics,
      },
    );
  return completedEnvelope({
    summary: `ran ${result.executed} code cells of ${path.basename(notebook)} in ${result.seconds.toFixed(1)} s`,
    outputs,
    artifacts,
    metrics,
  });
}
