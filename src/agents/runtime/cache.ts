import { sha256 } from '../../core/index.js';
import type { ResultEnvelope } from '../envelope.js';

/**
 * Results are reused by (agent id, agent version, skill, hash of the canonical input): the same
 * video or script is not processed twice unless the caller asks (`noCache`). A new agent version
 * starts a fresh cache. The store is the lake (lake-cache.ts); callers may pass their own.
 */
export interface CacheKey {
  agentId: string;
  agentVersion: string;
  skillId: string;
  /** SHA-256 of the canonical JSON of the input (and of the agent's fingerprint, when it has one). */
  inputHash: string;
}

export interface ResultCache {
  get(key: CacheKey): Promise<ResultEnvelope | null>;
  put(key: CacheKey, envelope: ResultEnvelope): Promise<void>;
}

/** JSON with object keys sorted at every level, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

export function inputHash(input: unknown, fingerprint?: unknown): string {
  return sha256(canonicalJson(fingerprint === undefined ? { input } : { input, fingerprint }));
}
