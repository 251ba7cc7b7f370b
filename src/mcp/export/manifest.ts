import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { BosunError, formatZodIssues } from '../../core/index.js';

/**
 * `manifest.json` of an exported docs server: what it holds (library, versions, snapshot,
 * counts), where its files are, and where `@duckdb/node-api` can be found when the package's
 * own dependencies were not installed. Written by `bosun docs export`, read by the server.
 */

export const MANIFEST_FILE = 'manifest.json';

const versionSchema = z
  .object({
    version: z.string().min(1),
    pages: z.number().int().min(0),
    chunks: z.number().int().min(0),
    deprecated: z.boolean(),
  })
  .strict();

export const manifestSchema = z
  .object({
    format: z.literal(1),
    library: z.string().min(1),
    description: z.string().nullable(),
    /** The versions exported, newest first. */
    versions: z.array(versionSchema).min(1),
    default_version: z.string().min(1),
    /** The lake snapshot the data was read at. */
    snapshot_id: z.number().int().min(0),
    last_sync: z.object({ status: z.string(), at: z.string() }).strict().nullable(),
    exported_at: z.string(),
    bosun_version: z.string(),
    /** Tokens per answer (Bosun's mcp.tokenBudget when exported). */
    token_budget: z.number().int().min(200),
    counts: z
      .object({
        pages: z.number().int(),
        chunks: z.number().int(),
        chunk_terms: z.number().int(),
        links: z.number().int(),
      })
      .strict(),
    /** Data files, relative to the package folder. */
    files: z.object({ chunks: z.string(), chunk_terms: z.string(), pages: z.string(), links: z.string() }).strict(),
    duckdb: z
      .object({
        package: z.literal('@duckdb/node-api'),
        version: z.string(),
        /** The module file of the Bosun installation that exported, used when the package's own is not installed. */
        fallback: z.string(),
      })
      .strict(),
  })
  .strict();
export type Manifest = z.infer<typeof manifestSchema>;

export function readManifest(dir: string): Manifest {
  const file = path.join(dir, MANIFEST_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BosunError('INVALID_CONFIG', `cannot read ${file}: ${(err as Error).message}`, {
      hint: 'export the server again with `bosun docs export`',
    });
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new BosunError('INVALID_CONFIG', `${file} is not a docs server manifest: ${formatZodIssues(parsed.error)}`, {
      hint: 'export the server again with `bosun docs export`',
    });
  }
  return parsed.data;
}
