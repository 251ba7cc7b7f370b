export { parseDocument } from './document.js';
export { scanBlocks, type Block, type BlockKind } from './blocks.js';
export {
  documentFormats,
  parseInputSchema,
  type DocumentFormat,
  type Link,
  type ParsedDocument,
  type ParseInput,
  type Section,
} from './types.js';
export { closesFence, closingLine, openFence, type Fence } from './fence.js';
