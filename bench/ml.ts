/**
 * bench:ml — ml.train's script (python/bosun_ml.py, Debian's scikit-learn) on make_classification
 * data of 10k and 100k rows × 20 columns: the dummy baseline, logistic regression, a random forest
 * and gradient boosting, 5-fold cross-validation, refit, importances and leakage checks, with one
 * thread per library (as the agent runs it). Baseline: the same run with the dummy alone (reading
 * the CSV, checks, refit), so the ratio is what the models cost. Target: 100k in ≤ 60 s.
 * `--quick`: 10k only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/core/index.js';
import { runChecked } from '../src/exec/index.js';
import { printTable, timed } from './support.js';

const SIZES = process.argv.includes('--quick') ? [10_000] : [10_000, 100_000];
const TARGET_S = 60;
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const SCRIPT = path.join(packageRoot(), 'python', 'bosun_ml.py');
const GENERATE = `
import sys, pandas as pd
from sklearn.datasets import make_classification
x, y = make_classification(n_samples=int(sys.argv[1]), n_features=20, n_informative=8, random_state=0)
frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(20)])
frame["y"] = y
frame.to_csv(sys.argv[2], index=False)
`;

interface Result {
  models: Record<string, { metrics: Record<string, { mean: number; std: number }>; seconds: number }>;
  best: { model: string };
  seconds: number;
  peakRssMb: number;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-bench-ml-'));
const train = async (data: string, models: string[] | null): Promise<Result> => {
  const config = path.join(dir, 'config.json');
  const result = path.join(dir, 'result.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      mode: 'train',
      data,
      target: 'y',
      models,
      cv_folds: 5,
      seed: 0,
      model_path: path.join(dir, 'model.joblib'),
      card_path: path.join(dir, 'card.md'),
      result,
      leak_threshold: 0.98,
      imbalance_threshold: 0.2,
    }),
  );
  await runChecked(PYTHON, ['-B', SCRIPT, config], {
    timeoutMs: 600_000,
    env: { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
  });
  return JSON.parse(fs.readFileSync(result, 'utf8')) as Result;
};

try {
  const rows: Record<string, string | number>[] = [];
  const perModel: Record<string, string | number>[] = [];
  for (const size of SIZES) {
    const data = path.join(dir, `data-${size}.csv`);
    await runChecked(PYTHON, ['-c', GENERATE, String(size), data], { timeoutMs: 120_000 });
    const baseline = await timed(() => train(data, ['dummy']));
    const full = await timed(() => train(data, null));
    rows.push({
      rows: size,
      cols: 20,
      'dummy-only s (baseline)': baseline.ms / 1000,
      'four models s': full.ms / 1000,
      ratio: full.ms / baseline.ms,
      best: full.value.best.model,
      'peak RSS MB': full.value.peakRssMb,
      target: size >= 100_000 ? `<= ${TARGET_S} s ${full.ms / 1000 <= TARGET_S ? 'ok' : 'MISSED'}` : '-',
    });
    for (const [model, r] of Object.entries(full.value.models)) {
      const m = r.metrics;
      perModel.push({
        rows: size,
        model,
        'cv s': r.seconds,
        'roc_auc (mean ± std)': `${m.roc_auc!.mean.toFixed(4)} ± ${m.roc_auc!.std.toFixed(4)}`,
        accuracy: `${m.accuracy!.mean.toFixed(4)} ± ${m.accuracy!.std.toFixed(4)}`,
        f1: `${m.f1!.mean.toFixed(4)} ± ${m.f1!.std.toFixed(4)}`,
      });
    }
  }
  printTable('ml.train wall time (5-fold CV + refit + importances + leakage checks, 1 thread)', rows);
  printTable('per model (5 folds)', perModel);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
