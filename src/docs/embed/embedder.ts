/**
 * Dense vectors for search: anything that turns texts into fixed-length vectors. Vectors are
 * stored with the model's name and dimension, so a searcher only compares vectors of the
 * model it embeds queries with, and changing the model means embedding again.
 */
export interface Embedder {
  /** The name stored with every vector (e.g. `nomic-embed-text`). */
  readonly model: string;
  /**
   * Vectors for `texts`, in order. `kind` lets models that were trained with different
   * prefixes for queries and documents (e5, nomic…) get the right one.
   */
  embed(texts: readonly string[], kind: 'query' | 'document'): Promise<number[][]>;
  close?(): Promise<void>;
}

/** Prefixes some embedding models expect in front of queries and documents. */
export interface Prefixes {
  queryPrefix?: string;
  documentPrefix?: string;
}

export function withPrefix(texts: readonly string[], kind: 'query' | 'document', prefixes: Prefixes): string[] {
  const prefix = (kind === 'query' ? prefixes.queryPrefix : prefixes.documentPrefix) ?? '';
  return prefix ? texts.map((t) => prefix + t) : [...texts];
}
