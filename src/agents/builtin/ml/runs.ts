import { ensureLakeTables, type ColumnDefinition, type Lake } from '../../../lake/index.js';

/** Experiment tracking: one row per ml.train run, so `bosun lake sql` compares runs across time and projects. */
export const RUNS_TABLE = 'ml.runs';

const COLUMNS: ColumnDefinition[] = [
  { name: 'run_id', type: 'VARCHAR' },
  { name: 'recorded_at', type: 'TIMESTAMP' },
  { name: 'scope', type: 'VARCHAR' },
  { name: 'task', type: 'VARCHAR' },
  { name: 'target', type: 'VARCHAR' },
  /** The data input as JSON (table, path or sql) and the lake snapshot it was read at. */
  { name: 'data', type: 'VARCHAR' },
  { name: 'data_snapshot', type: 'BIGINT' },
  { name: 'rows', type: 'BIGINT' },
  { name: 'features', type: 'INTEGER' },
  /** Models, folds, seed, metric: everything that chose the result, as JSON. */
  { name: 'params', type: 'VARCHAR' },
  /** Every model's cross-validated metrics (mean, std, per fold), as JSON. */
  { name: 'metrics', type: 'VARCHAR' },
  { name: 'best_model', type: 'VARCHAR' },
  { name: 'metric', type: 'VARCHAR' },
  { name: 'best_score', type: 'DOUBLE' },
  { name: 'baseline_score', type: 'DOUBLE' },
  { name: 'model_path', type: 'VARCHAR' },
  { name: 'duration_ms', type: 'BIGINT' },
];

export interface TrainingRun {
  run_id: string;
  recorded_at: string;
  scope: string;
  task: string;
  target: string;
  data: string;
  data_snapshot: number;
  rows: number;
  features: number;
  params: string;
  metrics: string;
  best_model: string;
  metric: string;
  best_score: number;
  baseline_score: number;
  model_path: string;
  duration_ms: number;
}

export async function recordRun(lake: Lake, run: TrainingRun): Promise<number | null> {
  await ensureLakeTables(lake, [{ name: RUNS_TABLE, columns: COLUMNS }], {
    author: 'bosun ml',
    message: `create ${RUNS_TABLE}`,
  });
  const written = await lake.append(RUNS_TABLE, [run], {
    author: 'bosun ml',
    message: `ml.train ${run.run_id}: ${run.best_model} ${run.metric} ${run.best_score.toFixed(4)}`,
    conflictRetries: 5,
  });
  return written.snapshotId;
}
