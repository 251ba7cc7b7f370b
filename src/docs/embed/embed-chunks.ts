import { z } from 'zod';
import { parseWith, silentLogger, type Logger } from '../../core/index.js';
import type { Lake } from '../../lake/index.js';
import { sqlString } from '../postings/sql.js';
import { EMBEDDINGS_TABLE, type EmbeddingRow } from '../postings/tables.js';
import { ensureIndexTables } from '../postings/write.js';
import { hasDocsTables } from '../store/read.js';
import type { Embedder } from './embedder.js';

export interface EmbedChunksOptions {
  /** Only this library's chunks. */
  library?: string;
  /** Chunks per lake snapshot: a long run commits as it goes, so an interruption loses little. */
  commitEvery?: number;
  logger?: Logger;
  onProgress?: (done: number, total: number) => void;
}

export interface EmbedChunksResult {
  model: string;
  dim: number | null;
  /** Chunks embedded now. */
  embedded: number;
  /** Chunks that already had a vector of this model. */
  alreadyEmbedded: number;
  /** Vectors of other models deleted. */
  replaced: number;
  snapshots: number[];
}

const pendingRow = z.object({
  chunk_id: z.string(),
  title: z.string().nullable(),
  heading_path: z.array(z.string()).nullable(),
  text: z.string(),
});
const countRow = z.object({ n: z.union([z.number(), z.bigint()]) });

/**
 * Gives every chunk of the latest snapshot a vector of the embedder's model, writing them to
 * `docs.embeddings` in commits of `commitEvery` chunks. Vectors of any other model are deleted
 * in the first commit: a searcher only uses one model,
 * and changing the model means embedding again. Runs outside syncs (a sync never waits on an
 * embeddings server); chunks a later sync adds are embedded by the next run.
 */
export async function embedChunks(
  lake: Lake,
  embedder: Embedder,
  options: EmbedChunksOptions = {},
): Promise<EmbedChunksResult> {
  const logger = options.logger ?? silentLogger;
  const commitEvery = options.commitEvery ?? 2000;
  await ensureIndexTables(lake);
  const { pending, already } = await pendingChunks(lake, embedder.model, options.library);
  const result: EmbedChunksResult = {
    model: embedder.model,
    dim: null,
    embedded: 0,
    alreadyEmbedded: already,
    replaced: 0,
    snapshots: [],
  };
  options.onProgress?.(0, pending.length);

  for (let start = 0; start < pending.length; start += commitEvery) {
    const batch = pending.slice(start, start + commitEvery);
    const vectors = await embedder.embed(batch.map(documentText), 'document');
    const dim = vectors[0]?.length ?? 0;
    result.dim ??= dim;
    const rows: EmbeddingRow[] = batch.map((c, i) => ({
      chunk_id: c.chunk_id,
      model: embedder.model,
      dim,
      vector: vectors[i]!,
    }));
    const first = start === 0;
    const committed = await lake.transaction(
      async (tx) => {
        // Other models' vectors go with the first commit; after that only this model's remain.
        const replaced = first ? await tx.delete(EMBEDDINGS_TABLE, `model <> ${sqlString(embedder.model)}`) : 0;
        await tx.append(EMBEDDINGS_TABLE, rows);
        return replaced;
      },
      { author: 'bosun docs embed', message: `embed ${rows.length} chunks with ${embedder.model}` },
    );
    result.replaced += committed.value;
    if (committed.snapshotId !== null) result.snapshots.push(committed.snapshotId);
    result.embedded += rows.length;
    options.onProgress?.(result.embedded, pending.length);
    logger.debug({ embedded: result.embedded, total: pending.length }, 'embedded chunks');
  }
  return result;
}

/** The text a chunk is embedded as: where it sits (title, headings), then what it says. */
function documentText(c: z.infer<typeof pendingRow>): string {
  return [c.title ?? '', (c.heading_path ?? []).join(' > '), c.text].filter(Boolean).join('\n');
}

async function pendingChunks(lake: Lake, model: string, library: string | undefined) {
  return lake.withReader({}, async (conn) => {
    if (!(await hasDocsTables(conn, ['chunks']))) return { pending: [], already: 0 };
    const filter = { model, library: library ?? null };
    const pending = (
      await conn.runAndReadAll(
        `SELECT c.chunk_id, c.title, c.heading_path, c.text
           FROM docs.chunks c
          WHERE ($library::VARCHAR IS NULL OR c.library = $library::VARCHAR)
            AND c.chunk_id NOT IN (SELECT chunk_id FROM docs.embeddings WHERE model = $model)
          ORDER BY c.library, c.version, c.path, c.ordinal`,
        filter,
      )
    )
      .getRowObjectsJS()
      .map((r) => parseWith(pendingRow, r, 'docs.chunks row', 'LAKE_ERROR'));
    const already = (
      await conn.runAndReadAll(
        `SELECT count(*) AS n FROM docs.chunks c
          WHERE ($library::VARCHAR IS NULL OR c.library = $library::VARCHAR)
            AND c.chunk_id IN (SELECT chunk_id FROM docs.embeddings WHERE model = $model)`,
        filter,
      )
    ).getRowObjectsJS()[0];
    return { pending, already: Number(parseWith(countRow, already, 'count', 'LAKE_ERROR').n) };
  });
}
