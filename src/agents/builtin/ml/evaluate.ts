import path from 'node:path';
import { artifactFromFile, completedEnvelope, type ResultEnvelope } from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';
import type { DataSource } from '../viz/data.js';
import { renderChart, type ChartInput } from '../viz/index.js';
import { exportForPython, modelFile } from './data.js';
import { runScript } from './script.js';

export interface EvaluateInput {
  model: string;
  data: DataSource;
  name: string;
  memoryMb: number;
}

interface EvaluateResult {
  task: 'classification' | 'regression';
  target: string;
  model: string;
  rows: number;
  metrics: Record<string, number>;
  confusionMatrix?: { labels: string[]; predicted: string[]; counts: number[][] };
}

/** What viz.chart draws from the per-row (or per-cell) CSV the script wrote. */
function plotFor(result: EvaluateResult): ChartInput['chart'] {
  if (result.task === 'classification')
    return { mark: 'rect', x: 'predicted', y: 'actual', color: 'count', title: `Confusion matrix: ${result.target}` };
  return { mark: 'point', x: 'actual', y: 'residual', title: `Residuals: ${result.target} (actual − predicted)` };
}

/**
 * ml.evaluate: the model's metrics on held-out data, and its confusion matrix (classification)
 * or residual plot (regression) drawn by the viz agent's renderer in the same run — a handoff
 * would make the chart a separate task the evaluation's readers must chase.
 */
export async function evaluate(ctx: AgentContext, input: EvaluateInput): Promise<ResultEnvelope> {
  const model = await modelFile(ctx, input.model);
  const data = await exportForPython(ctx, input.data, 'evaluate');
  const plotData = path.join(ctx.workDir, `${input.name}-plot.csv`);
  ctx.progress({ message: `scoring ${data.rows} rows` });
  const { result, sandbox } = await runScript<EvaluateResult>(
    ctx,
    'bosun_ml.py',
    ctx.workDir,
    { mode: 'evaluate', data: data.file, model_path: model, plot_data: plotData },
    { memoryMb: input.memoryMb, readOnly: [model] },
  );
  const chart = await renderChart(ctx.lake, ctx.workDir, {
    data: { path: plotData },
    chart: plotFor(result),
    formats: ['svg', 'png', 'html'],
    name: `${input.name}-${result.task === 'classification' ? 'confusion' : 'residuals'}`,
    maxRows: 100_000,
    scale: 2,
  });
  const metricText = Object.entries(result.metrics)
    .map(([k, v]) => `${k} ${v.toFixed(4)}`)
    .join(', ');
  return completedEnvelope({
    summary: `${result.model} on ${result.rows} held-out rows: ${metricText}`,
    outputs: {
      task: result.task,
      model,
      rows: result.rows,
      plotData,
      metrics: result.metrics,
      ...(result.confusionMatrix ? { confusionMatrix: result.confusionMatrix } : {}),
      charts: Object.fromEntries(chart.files.map((f) => [f.format, f.path])),
      sandbox,
    },
    artifacts: await Promise.all([
      artifactFromFile(plotData, 'text/csv'),
      ...chart.files.map((f) => artifactFromFile(f.path, f.mediaType)),
    ]),
    metrics: { rows: result.rows, ...result.metrics },
  });
}
