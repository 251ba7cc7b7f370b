import { parseWith, sha256 } from '../../core/index.js';
import type { Pool } from '../../db/index.js';
import { resultEnvelopeSchema, type ResultEnvelope } from '../envelope.js';

/**
 * Results are reused by (agent id, agent version, skill, hash of the canonical input): the same
 * video or script is not processed twice unless the caller asks (`noCache`). A new agent version
 * starts a fresh cache.
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
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function inputHash(input: unknown, fingerprint?: unknown): string {
  return sha256(canonicalJson(fingerprint === undefined ? { input } : { input, fingerprint }));
}

/**
 * The cache in PostgreSQL (bosun.agent_result_cache). The lake was not usable when this layer was
 * written; a lake-backed cache implements the same interface.
 */
export class PgResultCache implements ResultCache {
  constructor(private readonly pool: Pool) {}

  async get(key: CacheKey): Promise<ResultEnvelope | null> {
    const res = await this.pool.query<{ envelope: unknown }>(
      `UPDATE bosun.agent_result_cache SET hits = hits + 1, last_hit_at = now()
        WHERE agent_id = $1 AND agent_version = $2 AND skill_id = $3 AND input_sha256 = $4
        RETURNING envelope`,
      [key.agentId, key.agentVersion, key.skillId, key.inputHash],
    );
    const row = res.rows[0];
    return row ? parseWith(resultEnvelopeSchema, row.envelope, 'cached result envelope', 'INTERNAL') : null;
  }

  async put(key: CacheKey, envelope: ResultEnvelope): Promise<void> {
    await this.pool.query(
      `INSERT INTO bosun.agent_result_cache (agent_id, agent_version, skill_id, input_sha256, envelope)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (agent_id, agent_version, skill_id, input_sha256)
       DO UPDATE SET envelope = EXCLUDED.envelope, created_at = now(), hits = 0, last_hit_at = NULL`,
      [key.agentId, key.agentVersion, key.skillId, key.inputHash, JSON.stringify(envelope)],
    );
  }
}
