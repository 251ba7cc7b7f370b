import type { BosunConfig } from '../../core/index.js';
import type { Embedder } from './embedder.js';
import { localEmbedder } from './local.js';
import { openAIEmbedder } from './openai.js';

export interface EmbedderChoice {
  /** A local model folder: wins over the configured endpoint. */
  modelDir?: string;
  /** The model name (of the endpoint's models, or stored with a local model's vectors). */
  model?: string;
}

/**
 * The embedder the configuration asks for: a local model folder when one is given, else the
 * OpenAI-compatible endpoint `endpoints.embeddingsUrl` with `endpoints.embeddingsModel`; null
 * when neither is set (search is then lexical only, which is the default).
 */
export async function embedderFromConfig(config: BosunConfig, choice: EmbedderChoice = {}): Promise<Embedder | null> {
  if (choice.modelDir)
    return localEmbedder({ modelDir: choice.modelDir, ...(choice.model ? { model: choice.model } : {}) });
  const { embeddingsUrl, embeddingsModel, apiKey } = config.endpoints;
  const model = choice.model ?? embeddingsModel;
  if (!embeddingsUrl || !model) return null;
  return openAIEmbedder({ baseUrl: embeddingsUrl, model, ...(apiKey ? { apiKey } : {}) });
}
