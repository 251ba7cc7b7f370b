import path from 'node:path';
import { BosunError, isBosunError } from '../../../core/index.js';
import { quoteLiteral } from '../../../lake/index.js';
import { artifactFromFile, completedEnvelope, type ResultEnvelope } from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';
import type { DataSource } from '../viz/data.js';
import { exportForPython, modelFile } from './data.js';
import { runScript } from './script.js';

export interface PredictInput {
  model: string;
  data: DataSource;
  /** A Parquet file (relative to the task folder) or a lake table, schema.table (created when missing, appended to otherwise). */
  output: { path?: string; table?: string };
  memoryMb: number;
}

interface PredictResult {
  task: string;
  model: string;
  rows: number;
  columns: string[];
}

/** ml.predict: the input rows with a `prediction` column (and `probability` for two classes), to Parquet or a lake table. */
export async function predict(ctx: AgentContext, input: PredictInput): Promise<ResultEnvelope> {
  if ((input.output.path === undefined) === (input.output.table === undefined))
    throw new BosunError(
      'INVALID_INPUT',
      'output: give exactly one of path (a .parquet file) or table (schema.table)',
      {
        details: { retryable: false },
      },
    );
  const model = await modelFile(ctx, input.model);
  const data = await exportForPython(ctx, input.data, 'predict');
  const csv = path.join(ctx.workDir, '.ml', 'predictions.csv');
  const { result, sandbox } = await runScript<PredictResult>(
    ctx,
    'bosun_ml.py',
    ctx.workDir,
    { mode: 'predict', data: data.file, model_path: model, output: csv },
    { memoryMb: input.memoryMb, readOnly: [model] },
  );
  const lake = await ctx.lake();
  const select = `SELECT * FROM read_csv_auto(${quoteLiteral(csv)})`;
  const outputs: Record<string, unknown> = {
    task: result.task,
    model,
    rows: result.rows,
    columns: result.columns,
    sandbox,
  };
  const artifacts = [];
  if (input.output.path !== undefined) {
    const file = path.resolve(ctx.workDir, input.output.path);
    if (path.extname(file) !== '.parquet')
      throw new BosunError('INVALID_INPUT', `output.path ${input.output.path}: expected a .parquet file`, {
        details: { retryable: false },
      });
    await lake.withReader({}, (conn) => conn.run(`COPY (${select}) TO ${quoteLiteral(file)} (FORMAT parquet)`));
    outputs.path = file;
    artifacts.push(await artifactFromFile(file, 'application/vnd.apache.parquet'));
  } else {
    const table = input.output.table!;
    const written = await lake.transaction(
      async (tx) => {
        const exists = (await lake.tables()).some((t) => t.name === table);
        if (!exists) {
          await tx.createSchema(table.split('.')[0]!).catch((err: unknown) => {
            if (!isBosunError(err, 'CONFLICT')) throw err;
          });
          await tx.createTable(table, { as: select });
        }
        return tx.append(table, { sql: select });
      },
      { author: 'bosun ml', message: `ml.predict: ${result.rows} predictions of ${result.model}` },
    );
    outputs.table = table;
    outputs.snapshot = written.snapshotId;
  }
  return completedEnvelope({
    summary: `${result.rows} predictions by ${result.model} written to ${String(outputs.path ?? outputs.table)}`,
    outputs,
    artifacts,
    metrics: { rows: result.rows },
  });
}
