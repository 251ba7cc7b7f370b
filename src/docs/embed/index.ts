/** docs/embed: dense vectors for search — the Embedder interface and its two implementations. */
export { withPrefix, type Embedder, type Prefixes } from './embedder.js';
export { openAIEmbedder, openAIEmbedderOptionsSchema, type OpenAIEmbedderOptions } from './openai.js';
export { localEmbedder, localEmbedderOptionsSchema, type LocalEmbedderOptions } from './local.js';
export { embedChunks, type EmbedChunksOptions, type EmbedChunksResult } from './embed-chunks.js';
export { embedderFromConfig, type EmbedderChoice } from './from-config.js';
