import path from 'node:path';
import { newId } from '../../../core/index.js';
import { artifactFromFile, completedEnvelope, type ResultEnvelope } from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';
import type { DataSource } from '../viz/data.js';
import { renderChart } from '../viz/index.js';
import { exportForPython } from './data.js';
import { recordRun } from './runs.js';
import { runScript } from './script.js';

/** ml.train's input (agents/ml.yaml), defaults filled in by the schema. */
export interface TrainInput {
  data: DataSource;
  target: string;
  task?: 'classification' | 'regression';
  features?: string[];
  models?: string[];
  metric?: string;
  cv_folds: number;
  seed: number;
  /** Share of the rows kept out for ml.evaluate (0: none). */
  holdout: number;
  name: string;
  memoryMb: number;
  threads: number;
}

interface Spread {
  mean: number;
  std: number;
  min: number;
  max: number;
  folds: number[];
}

interface TrainResult {
  task: string;
  rows: number;
  holdoutRows: number;
  features: string[];
  classes: string[] | null;
  classBalance: Record<string, number> | null;
  metric: string;
  models: Record<string, { metrics: Record<string, Spread>; seconds: number }>;
  best: { model: string; score: number; baseline: number; lift: number };
  featureImportances: { feature: string; importance: number; std: number }[];
  leakageSuspects: { feature: string; metric: string; score: number }[];
  caveats: string[];
  seconds: number;
}

/** Leave-one-feature-out scores above this (ROC-AUC, accuracy or R²) flag the feature as a leakage suspect. */
const LEAK_THRESHOLD = 0.98;
/** The rarest class below this share of the rows is called imbalance in the model card. */
const IMBALANCE_THRESHOLD = 0.2;
/** Metrics where a smaller number is the better model (the script reports them positive). */
const LOWER_IS_BETTER = new Set(['rmse', 'mae', 'log_loss']);

export async function train(ctx: AgentContext, input: TrainInput): Promise<ResultEnvelope> {
  const started = performance.now();
  ctx.progress({ message: 'reading the data' });
  const data = await exportForPython(ctx, input.data, 'train');
  const modelPath = path.join(ctx.workDir, `${input.name}.joblib`);
  const cardPath = path.join(ctx.workDir, `${input.name}-card.md`);
  const holdoutPath = path.join(ctx.workDir, `${input.name}-holdout.csv`);
  ctx.progress({ message: `cross-validating on ${data.rows} rows` });
  const { result, sandbox } = await runScript<TrainResult>(
    ctx,
    'bosun_ml.py',
    ctx.workDir,
    {
      mode: 'train',
      data: data.file,
      source: JSON.stringify(input.data),
      target: input.target,
      task: input.task ?? null,
      features: input.features ?? null,
      models: input.models ?? null,
      metric: input.metric ?? null,
      cv_folds: input.cv_folds,
      seed: input.seed,
      n_jobs: input.threads,
      model_path: modelPath,
      card_path: cardPath,
      holdout: input.holdout,
      holdout_path: holdoutPath,
      leak_threshold: LEAK_THRESHOLD,
      imbalance_threshold: IMBALANCE_THRESHOLD,
    },
    { memoryMb: input.memoryMb, threads: input.threads },
  );

  const comparison = await renderChart(ctx.lake, ctx.workDir, {
    vega_lite: {
      title: `${result.metric} by model (${input.cv_folds}-fold CV, mean ± std)`,
      data: {
        values: Object.entries(result.models).map(([model, m]) => ({
          model,
          mean: m.metrics[result.metric]!.mean,
          low: m.metrics[result.metric]!.mean - m.metrics[result.metric]!.std,
          high: m.metrics[result.metric]!.mean + m.metrics[result.metric]!.std,
        })),
      },
      layer: [
        {
          mark: 'bar',
          encoding: {
            x: { field: 'model', type: 'nominal' },
            y: { field: 'mean', type: 'quantitative', title: result.metric },
          },
        },
        {
          mark: 'rule',
          encoding: {
            x: { field: 'model', type: 'nominal' },
            y: { field: 'low', type: 'quantitative' },
            y2: { field: 'high' },
          },
        },
      ],
    },
    formats: ['svg', 'png'],
    name: `${input.name}-cv`,
    maxRows: 100,
    scale: 2,
  });

  const runId = newId();
  const durationMs = Math.round(performance.now() - started);
  const snapshot = await recordRun(await ctx.lake(), {
    run_id: runId,
    recorded_at: new Date().toISOString(),
    scope: ctx.scope,
    task: result.task,
    target: input.target,
    data: JSON.stringify(input.data),
    data_snapshot: data.snapshotId,
    rows: result.rows,
    features: result.features.length,
    params: JSON.stringify({
      models: Object.keys(result.models),
      cv_folds: input.cv_folds,
      seed: input.seed,
      metric: result.metric,
      features: result.features,
    }),
    metrics: JSON.stringify(Object.fromEntries(Object.entries(result.models).map(([k, v]) => [k, v.metrics]))),
    best_model: result.best.model,
    metric: result.metric,
    best_score: result.best.score,
    baseline_score: result.best.baseline,
    model_path: modelPath,
    duration_ms: durationMs,
  });

  const { best } = result;
  return completedEnvelope({
    summary: `${best.model} ${result.metric} ${best.score.toFixed(4)} vs dummy ${best.baseline.toFixed(4)} (${input.cv_folds}-fold CV, ${result.rows} rows)${result.caveats.length ? `; ${result.caveats.length} caveat${result.caveats.length > 1 ? 's' : ''}` : ''}`,
    outputs: {
      model: modelPath,
      card: cardPath,
      runId,
      runsSnapshot: snapshot,
      ...(result.holdoutRows ? { holdout: holdoutPath, holdoutRows: result.holdoutRows } : {}),
      beatsBaseline:
        result.best.model !== 'dummy' && (LOWER_IS_BETTER.has(result.metric) ? best.lift < 0 : best.lift > 0),
      task: result.task,
      metric: result.metric,
      best,
      models: result.models,
      features: result.features,
      classBalance: result.classBalance,
      featureImportances: result.featureImportances,
      leakageSuspects: result.leakageSuspects,
      caveats: result.caveats,
      charts: Object.fromEntries(comparison.files.map((f) => [f.format, f.path])),
      sandbox,
    },
    artifacts: await Promise.all([
      artifactFromFile(modelPath, 'application/octet-stream'),
      artifactFromFile(cardPath, 'text/markdown'),
      ...(result.holdoutRows ? [artifactFromFile(holdoutPath, 'text/csv')] : []),
      ...comparison.files.map((f) => artifactFromFile(f.path, f.mediaType)),
    ]),
    metrics: {
      rows: result.rows,
      features: result.features.length,
      bestScore: best.score,
      baselineScore: best.baseline,
      lift: best.lift,
      leakageSuspects: result.leakageSuspects.length,
      trainSeconds: result.seconds,
    },
  });
}
