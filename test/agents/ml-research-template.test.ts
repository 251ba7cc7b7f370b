import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/exec/index.js';
import { bosunBin, repoRoot, runBosun } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { tempHome, waitFor } from '../pm/helpers.js';

/** A small classification set with signal: y depends on a and b, c is noise. */
function writeDataset(file: string): void {
  const lines = ['a,b,c,y'];
  let seed = 11;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 600; i++) {
    const a = rand() * 4 - 2;
    const b = rand() * 4 - 2;
    const y = a + 0.8 * b + (rand() - 0.5) > 0 ? 1 : 0;
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${rand().toFixed(4)},${y}`);
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

describe('the ml-research template through bosun worker', { timeout: 400_000 }, () => {
  const home = tempHome();
  let db: TestDatabase;
  const bosun = (...args: string[]) =>
    runBosun([...args, '--json'], { home: home.paths.home, env: { BOSUN_DATABASE_URL: db.url } });
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
    home.remove();
  });

  it('runs data → train → evaluate → report by itself, producing a model, its card and charts', async () => {
    const dataset = path.join(home.paths.home, 'churn.csv');
    writeDataset(dataset);
    const created = await bosun(
      'project',
      'new',
      'mlr',
      '--template',
      'ml-research',
      '--param',
      `dataset_uri=${dataset}`,
      '--param',
      'target=y',
    );
    expect(created.exitCode, created.stderr).toBe(0);
    expect((await bosun('project', 'advance', 'mlr')).exitCode).toBe(0);

    const stop = new AbortController();
    const worker = runCommand(process.execPath, [bosunBin, '--database-url', db.url, 'worker', '--concurrency', '1'], {
      env: { BOSUN_HOME: home.paths.home, BOSUN_LOG_LEVEL: 'warn' },
      cwd: repoRoot,
      timeoutMs: 0,
      signal: stop.signal,
    });
    const keys = ['data', 'train', 'evaluate', 'report'];
    let tasks: Record<string, { ref: string; status: string; result?: any }> = {};
    try {
      await waitFor(
        'data, train, evaluate and report to finish',
        async () => {
          const list = await bosun('task', 'list', '--project', 'mlr');
          tasks = Object.fromEntries(list.json.tasks.map((t: any) => [t.key, t]));
          const states = keys.map((k) => tasks[k]?.status);
          if (states.some((s) => s === 'failed')) return states;
          return states.every((s) => s === 'completed') && states;
        },
        300_000,
      );
    } finally {
      stop.abort();
      await worker.catch(() => undefined);
    }
    expect(keys.map((k) => tasks[k]?.status)).toEqual(['completed', 'completed', 'completed', 'completed']);

    const train = (await bosun('task', 'show', tasks.train!.ref)).json;
    const outputs = train.task.result.outputs;
    expect(outputs.beatsBaseline).toBe(true);
    expect(outputs.holdoutRows).toBe(120);
    expect(fs.existsSync(outputs.model)).toBe(true);
    expect(fs.readFileSync(outputs.card, 'utf8')).toContain('# Model card:');

    const evaluate = (await bosun('task', 'show', tasks.evaluate!.ref)).json.task.result.outputs;
    expect(evaluate.rows).toBe(120);
    expect(evaluate.metrics.roc_auc).toBeGreaterThan(0.85);
    expect(fs.existsSync(evaluate.charts.png)).toBe(true);

    // The text form of task show lists the artifacts with their paths.
    const shown = await runBosun(['task', 'show', tasks.report!.ref], {
      home: home.paths.home,
      env: { BOSUN_DATABASE_URL: db.url },
    });
    expect(shown.stdout).toMatch(/artifacts:/);
    expect(shown.stdout).toMatch(/experiment-history\.png\s+image\/png\s+\d+\s+\S*experiment-history\.png/);
  });
});
