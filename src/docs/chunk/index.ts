export { chunkDocument, chunkOptionsSchema, type Chunk, type ChunkOptions } from './chunk.js';
export { countTokens } from './tokens.js';
