import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { BosunError, parseWith } from '../../core/index.js';
import { withPrefix, type Embedder, type Prefixes } from './embedder.js';

/**
 * An embedding model run in-process from a folder the user provides (a Hugging Face model
 * folder with `config.json`, the tokenizer and ONNX weights), through `@huggingface/transformers`
 * with remote downloads switched off: nothing is ever fetched.
 *
 * `@huggingface/transformers` is an optional dependency that Bosun does not install (it is
 * large, and useless without a model): it is imported only when a local model is asked for,
 * and its absence is a clear error saying what to install.
 */

export const localEmbedderOptionsSchema = z
  .object({
    modelDir: z.string().min(1),
    /** The name stored with vectors; default: the folder's name. */
    model: z.string().min(1).optional(),
    pooling: z.enum(['mean', 'cls']).default('mean'),
    normalize: z.boolean().default(true),
    batchSize: z.number().int().min(1).max(1024).default(32),
    queryPrefix: z.string().optional(),
    documentPrefix: z.string().optional(),
  })
  .strict();
export type LocalEmbedderOptions = z.input<typeof localEmbedderOptionsSchema>;

const TRANSFORMERS = '@huggingface/transformers';

/** The little of the package's API this adapter uses, checked after import. */
const transformersModule = z
  .object({
    env: z.object({}).passthrough(),
    pipeline: z.function(),
  })
  .passthrough();

type Extractor = (
  texts: string[],
  options: { pooling: 'mean' | 'cls'; normalize: boolean },
) => Promise<{ tolist(): unknown }>;

const vectorsOutput = z.array(z.array(z.number()));

export async function localEmbedder(options: LocalEmbedderOptions): Promise<Embedder> {
  const o = parseWith(localEmbedderOptionsSchema, options, 'local embedding model options', 'INVALID_CONFIG');
  const modelDir = path.resolve(o.modelDir);
  if (!fs.existsSync(path.join(modelDir, 'config.json'))) {
    throw new BosunError('NOT_FOUND', `no model at ${modelDir} (config.json is missing)`, {
      hint: 'point --model-dir at a downloaded Hugging Face model folder (with config.json, tokenizer files and onnx/ weights)',
    });
  }
  const transformers = await importTransformers();
  // No model hub, ever: only the folder given.
  Object.assign(transformers.env, {
    allowRemoteModels: false,
    allowLocalModels: true,
    localModelPath: path.dirname(modelDir),
  });
  const extractor = (await transformers.pipeline('feature-extraction', path.basename(modelDir), {
    local_files_only: true,
  })) as Extractor;
  const prefixes: Prefixes = { queryPrefix: o.queryPrefix, documentPrefix: o.documentPrefix };

  return {
    model: o.model ?? path.basename(modelDir),
    async embed(texts, kind) {
      const inputs = withPrefix(texts, kind, prefixes);
      const vectors: number[][] = [];
      for (let i = 0; i < inputs.length; i += o.batchSize) {
        const output = await extractor(inputs.slice(i, i + o.batchSize), {
          pooling: o.pooling,
          normalize: o.normalize,
        });
        vectors.push(...parseWith(vectorsOutput, output.tolist(), 'local model output', 'EMBEDDINGS_FAILED'));
      }
      return vectors;
    },
  };
}

async function importTransformers(): Promise<{
  env: Record<string, unknown>;
  pipeline: (...args: unknown[]) => Promise<unknown>;
}> {
  let loaded: unknown;
  try {
    // A variable specifier: the package is optional and TypeScript must not require its types.
    const specifier: string = TRANSFORMERS;
    loaded = await import(specifier);
  } catch (err) {
    throw new BosunError(
      'TOOL_MISSING',
      `local embedding models need the optional package ${TRANSFORMERS}, which is not installed`,
      {
        hint: `install ${TRANSFORMERS} and point --model-dir at a local model folder (npm install ${TRANSFORMERS}); or use an OpenAI-compatible endpoint (endpoints.embeddingsUrl)`,
        cause: err,
      },
    );
  }
  const mod = parseWith(transformersModule, loaded, `the ${TRANSFORMERS} module`, 'TOOL_MISSING');
  return mod as unknown as { env: Record<string, unknown>; pipeline: (...args: unknown[]) => Promise<unknown> };
}
