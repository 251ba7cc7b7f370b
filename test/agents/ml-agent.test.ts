import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAgent, type AgentRegistry } from '../../src/agents/index.js';
import { runChecked } from '../../src/exec/index.js';
import { agentsFixture, type AgentsFixture } from './fixtures.js';

/**
 * Data with a known signal: make_classification (fixed seed, 6 informative of 10 features, 80/20
 * classes), a planted column `leak` that is the target plus noise, and a text column `label`.
 */
const GENERATE = `
import sys
import numpy as np, pandas as pd
from sklearn.datasets import make_classification
x, y = make_classification(n_samples=1600, n_features=10, n_informative=6, weights=[0.8], random_state=42)
frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(10)])
frame["leak"] = y + np.random.default_rng(1).normal(0, 0.05, len(y))
frame["label"] = np.where(y == 1, "churned", "stayed")
frame["y"] = y
frame.iloc[:1200].to_csv(sys.argv[1], index=False)
frame.iloc[1200:].to_csv(sys.argv[2], index=False)
`;

describe('the ml agent', { timeout: 300_000 }, () => {
  let f: AgentsFixture;
  let registry: AgentRegistry;
  let scratch: string;
  let trainCsv: string;
  let testCsv: string;
  let model: string;
  let n = 0;
  const features = Array.from({ length: 10 }, (_, i) => `f${i}`);
  const run = async (skillId: string, input: Record<string, unknown>) => {
    const workDir = path.join(scratch, `run-${++n}`);
    const envelope = await executeAgent({
      registry,
      agentId: 'ml',
      skillId,
      input,
      workDir,
      scope: 'mltests',
      noCache: true,
    });
    return { envelope, outputs: envelope.outputs as any, workDir };
  };

  beforeAll(async () => {
    f = await agentsFixture();
    registry = await f.open();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-ml-'));
    trainCsv = path.join(scratch, 'train.csv');
    testCsv = path.join(scratch, 'test.csv');
    await runChecked('/usr/bin/python3', ['-c', GENERATE, trainCsv, testCsv], { timeoutMs: 120_000 });
    const lake = await registry.lake();
    await lake.createSchema('churn');
    await lake.createTable('churn.holdout', { as: `SELECT * FROM read_csv_auto('${testCsv}')` });
    await lake.append('churn.holdout', { sql: `SELECT * FROM read_csv_auto('${testCsv}')` });
  });
  afterAll(async () => {
    await f.cleanup();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('cross-validates four models against a dummy, saves the best with a model card and records the run', async () => {
    const { envelope, outputs } = await run('ml.train', {
      data: { path: trainCsv },
      target: 'y',
      features,
      cv_folds: 3,
      seed: 7,
      name: 'churn',
    });
    expect(envelope.status, envelope.error?.message).toBe('completed');
    expect(outputs.task).toBe('classification');
    expect(outputs.metric).toBe('roc_auc');
    expect(Object.keys(outputs.models).sort()).toEqual(['dummy', 'gradient_boosting', 'logistic', 'random_forest']);
    const dummy = outputs.models.dummy.metrics.roc_auc;
    expect(dummy.mean).toBeCloseTo(0.5, 5);
    // The informative features carry real signal: the best model clears the baseline by a wide margin.
    expect(outputs.best.score - dummy.mean).toBeGreaterThan(0.3);
    expect(outputs.models[outputs.best.model].metrics.roc_auc.folds).toHaveLength(3);
    expect(outputs.models.random_forest.metrics.roc_auc.std).toBeGreaterThan(0);
    expect(outputs.leakageSuspects).toEqual([]);
    expect(outputs.caveats.join('\n')).toMatch(/class imbalance: the rarest class \(1\) is 2\d\.\d%|^$/);
    model = outputs.model;
    expect(fs.statSync(model).size).toBeGreaterThan(1000);
    const card = fs.readFileSync(outputs.card, 'utf8');
    expect(card).toContain(`# Model card: ${outputs.best.model} predicting \`y\``);
    expect(card).toMatch(/\| dummy \| [\d.]+ ± [\d.]+ \|/);
    expect(card).toContain('## Feature importances');
    expect(envelope.artifacts.map((a) => a.mediaType)).toEqual(
      expect.arrayContaining(['application/octet-stream', 'text/markdown', 'image/png']),
    );
    expect(outputs.sandbox.memoryLimitMb).toBe(4096);

    const lake = await registry.lake();
    const rows = await lake.withReader({}, async (conn) =>
      (await conn.runAndReadAll('SELECT run_id, best_model, best_score, rows, scope FROM ml.runs')).getRowObjectsJson(),
    );
    expect(rows).toEqual([
      {
        run_id: outputs.runId,
        best_model: outputs.best.model,
        best_score: outputs.best.score,
        rows: '1200',
        scope: 'mltests',
      },
    ]);
  });

  it('flags a planted leaking column in the model card', async () => {
    const { envelope, outputs } = await run('ml.train', {
      data: { path: trainCsv },
      target: 'y',
      features: [...features, 'leak'],
      models: ['logistic'],
      cv_folds: 3,
    });
    expect(envelope.status, envelope.error?.message).toBe('completed');
    expect(outputs.leakageSuspects.map((s: { feature: string }) => s.feature)).toEqual(['leak']);
    expect(fs.readFileSync(outputs.card, 'utf8')).toMatch(
      /leakage suspect: 'leak' alone reaches roc_auc 0\.9\d\d|1\.000/,
    );
  });

  it('evaluates on held-out lake rows with a confusion matrix chart, and predicts into a lake table and Parquet', async () => {
    expect(model, 'needs the model of the first test').toBeDefined();
    const evaluation = await run('ml.evaluate', { model, data: { table: 'churn.holdout' } });
    expect(evaluation.envelope.status, evaluation.envelope.error?.message).toBe('completed');
    expect(evaluation.outputs.rows).toBe(400);
    expect(evaluation.outputs.metrics.roc_auc).toBeGreaterThan(0.8);
    const counts: number[][] = evaluation.outputs.confusionMatrix.counts;
    expect(counts.flat().reduce((a, b) => a + b, 0)).toBe(400);
    const png = fs.readFileSync(evaluation.outputs.charts.png);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(fs.readFileSync(evaluation.outputs.charts.svg, 'utf8')).toContain('Confusion matrix: y');

    const toLake = await run('ml.predict', {
      model,
      data: { table: 'churn.holdout' },
      output: { table: 'churn.scored' },
    });
    expect(toLake.envelope.status, toLake.envelope.error?.message).toBe('completed');
    const lake = await registry.lake();
    const agreement = await lake.withReader({}, async (conn) =>
      (
        await conn.runAndReadAll('SELECT COUNT(*)::INT AS n, AVG((prediction = y)::INT) AS accuracy FROM churn.scored')
      ).getRowObjectsJson(),
    );
    expect(agreement[0]!.n).toBe(400);
    expect(agreement[0]!.accuracy).toBeCloseTo(evaluation.outputs.metrics.accuracy, 6);

    const toFile = await run('ml.predict', { model, data: { path: testCsv }, output: { path: 'scored.parquet' } });
    expect(toFile.envelope.status, toFile.envelope.error?.message).toBe('completed');
    expect(toFile.outputs.columns).toEqual(expect.arrayContaining(['prediction', 'probability']));
    expect(fs.existsSync(path.join(toFile.workDir, 'scored.parquet'))).toBe(true);
  });

  it('says clearly when a regression target is not numeric', async () => {
    const { envelope } = await run('ml.train', {
      data: { path: trainCsv },
      target: 'label',
      task: 'regression',
      features,
    });
    expect(envelope.status).toBe('failed');
    expect(envelope.error?.message).toMatch(
      /^target 'label' is not numeric \(values such as '(churned|stayed)', '(churned|stayed)'\): regression needs a numeric target; use task: classification$/,
    );
  });

  it('runs a notebook headless with injected parameters, and fails on a cell error with its number and traceback', async () => {
    const dir = path.join(scratch, 'notebook');
    fs.mkdirSync(dir, { recursive: true });
    const code = (source: string, tags: string[] = []) => ({
      cell_type: 'code',
      metadata: { tags },
      source,
      outputs: [],
      execution_count: null,
    });
    const notebook = (cells: unknown[]) =>
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: { kernelspec: { name: 'python3', language: 'python', display_name: 'Python 3' } },
        cells,
      });
    fs.writeFileSync(
      path.join(dir, 'report.ipynb'),
      notebook([
        { cell_type: 'markdown', metadata: {}, source: '# Report' },
        code('n = 2\nlabel = "default"', ['parameters']),
        code('import sklearn\nprint(label, n * 21)'),
      ]),
    );
    const ok = await executeAgent({
      registry,
      agentId: 'ml',
      skillId: 'notebook.run',
      input: { notebook: 'report.ipynb', parameters: { n: 3, label: 'injected' } },
      workDir: dir,
      scope: 'mltests',
      noCache: true,
    });
    expect(ok.status, ok.error?.message).toBe('completed');
    const executed = JSON.parse(fs.readFileSync(path.join(dir, 'report.executed.ipynb'), 'utf8'));
    expect(executed.cells[2].metadata.tags).toEqual(['injected-parameters']);
    expect(executed.cells[3].outputs[0].text.join('')).toBe('injected 63\n');
    expect(fs.readFileSync(path.join(dir, 'report.executed.html'), 'utf8')).toContain('injected 63');
    expect(ok.artifacts.map((a) => a.mediaType).sort()).toEqual(['application/x-ipynb+json', 'text/html']);

    fs.writeFileSync(
      path.join(dir, 'broken.ipynb'),
      notebook([code('x = 1'), code('def f():\n    return 1 / 0\nf()')]),
    );
    const broken = await executeAgent({
      registry,
      agentId: 'ml',
      skillId: 'notebook.run',
      input: { notebook: 'broken.ipynb' },
      workDir: dir,
      scope: 'mltests',
      noCache: true,
    });
    expect(broken.status).toBe('failed');
    expect(broken.error?.code).toBe('CELL_FAILED');
    expect(broken.error?.message).toMatch(/^cell 2 raised ZeroDivisionError: division by zero\n/);
    expect(broken.error?.message).toContain('return 1 / 0');
    expect(fs.existsSync(path.join(dir, 'broken.executed.html'))).toBe(true);
  });
});
