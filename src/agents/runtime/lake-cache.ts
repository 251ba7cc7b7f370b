import { parseWith } from '../../core/index.js';
import { ensureLakeTables, type Lake } from '../../lake/index.js';
import { resultEnvelopeSchema, type ResultEnvelope } from '../envelope.js';
import type { CacheKey, ResultCache } from './cache.js';

/**
 * The result cache as the lake table `agents.result_cache`, one row per stored result (append
 * only: the newest row for a key wins). Large envelopes (transcripts) stay out of PostgreSQL,
 * and old results stay queryable with time travel until the lake expires them.
 */
export const RESULT_CACHE_TABLE = 'agents.result_cache';

const COLUMNS = [
  { name: 'agent_id', type: 'VARCHAR' },
  { name: 'agent_version', type: 'VARCHAR' },
  { name: 'skill_id', type: 'VARCHAR' },
  { name: 'input_sha256', type: 'VARCHAR' },
  { name: 'envelope', type: 'VARCHAR' },
  { name: 'created_at', type: 'TIMESTAMPTZ' },
] as const;

export class LakeResultCache implements ResultCache {
  private table: Promise<Lake> | null = null;

  /** `openLake` is called on first use: routing alone never touches the lake. */
  constructor(private readonly openLake: () => Promise<Lake>) {}

  /** The lake, with the cache table created once (another process creating it at the same moment is fine); retried after a failure. */
  private ready(): Promise<Lake> {
    this.table ??= (async () => {
      const lake = await this.openLake();
      await ensureLakeTables(lake, [{ name: RESULT_CACHE_TABLE, columns: COLUMNS }], {
        author: 'bosun agents',
        message: 'agents: result cache table',
      });
      return lake;
    })();
    this.table.catch(() => {
      this.table = null;
    });
    return this.table;
  }

  async get(key: CacheKey): Promise<ResultEnvelope | null> {
    const lake = await this.ready();
    const text = await lake.withReader({}, async (conn) => {
      const reader = await conn.runAndReadAll(
        `SELECT envelope FROM agents.result_cache
          WHERE agent_id = $1 AND agent_version = $2 AND skill_id = $3 AND input_sha256 = $4
          ORDER BY created_at DESC LIMIT 1`,
        [key.agentId, key.agentVersion, key.skillId, key.inputHash],
      );
      return reader.getRowObjects()[0]?.envelope;
    });
    if (typeof text !== 'string') return null;
    return parseWith(resultEnvelopeSchema, JSON.parse(text), 'cached result envelope', 'INTERNAL');
  }

  async put(key: CacheKey, envelope: ResultEnvelope): Promise<void> {
    const lake = await this.ready();
    await lake.append(
      RESULT_CACHE_TABLE,
      [
        {
          agent_id: key.agentId,
          agent_version: key.agentVersion,
          skill_id: key.skillId,
          input_sha256: key.inputHash,
          envelope: JSON.stringify(envelope),
          created_at: new Date(),
        },
      ],
      { message: `agents: cache ${key.agentId} ${key.skillId}` },
    );
  }
}
