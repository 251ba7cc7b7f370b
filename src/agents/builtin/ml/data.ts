import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError } from '../../../core/index.js';
import type { AgentContext } from '../../runtime/types.js';
import { exportCsv, withSource, type DataSource } from '../viz/data.js';

export interface ExportedData {
  file: string;
  rows: number;
  snapshotId: number;
}

/** The data input read with DuckDB (lake table at a snapshot, file or SQL) into a CSV the Python script reads. */
export async function exportForPython(ctx: AgentContext, source: DataSource, name: string): Promise<ExportedData> {
  const dir = path.join(ctx.workDir, '.ml');
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.csv`);
  const { rows, snapshotId } = await withSource(await ctx.lake(), ctx.workDir, source, async (conn, relation, id) => ({
    rows: await exportCsv(conn, relation, file),
    snapshotId: id,
  }));
  if (!rows) throw new BosunError('INVALID_INPUT', 'the data has no rows', { details: { retryable: false } });
  return { file, rows, snapshotId };
}

/** A model file from an input: relative to the task folder, or absolute (another task's output). */
export async function modelFile(ctx: AgentContext, model: string): Promise<string> {
  const file = path.resolve(ctx.workDir, model);
  await fs.access(file).catch(() => {
    throw new BosunError('INVALID_INPUT', `model ${model} does not exist (looked at ${file})`, {
      details: { retryable: false },
    });
  });
  return file;
}
