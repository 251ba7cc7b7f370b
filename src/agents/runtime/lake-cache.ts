import { BosunError, parseWith } from '../../core/index.js';
import type { Lake } from '../../lake/index.js';
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
  private ready: Promise<void> | null = null;

  /** `openLake` is called on first use: routing alone never touches the lake. */
  constructor(private readonly openLake: () => Promise<Lake>) {}

  private lake: Promise<Lake> | null = null;
  private getLake(): Promise<Lake> {
    this.lake ??= this.openLake();
    return this.lake;
  }

  /** Creates the schema and table once; another process creating them at the same moment is fine. */
  private ensureTable(): Promise<void> {
    this.ready ??= (async () => {
      const lake = await this.getLake();
      const exists = async () => (await lake.tables()).some((t) => t.name === RESULT_CACHE_TABLE);
      if (await exists()) return;
      try {
        await lake.transaction(async (tx) => {
          if (!(await lake.tables()).some((t) => t.name.startsWith('agents.'))) await tx.createSchema('agents').catch(ignoreConflict);
          await tx.createTable(RESULT_CACHE_TABLE, COLUMNS);
        }, { message: 'agents: result cache table' });
      } catch (err) {
        if (!(await exists())) throw err;
      }
    })();
    this.ready.catch(() => {
      this.ready = null;
    });
    return this.ready;
  }

  async get(key: CacheKey): Promise<ResultEnvelope | null> {
    await this.ensureTable();
    const lake = await this.getLake();
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
    await this.ensureTable();
    const lake = await this.getLake();
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

function ignoreConflict(err: unknown): void {
  if (!(err instanceof BosunError && err.code === 'CONFLICT')) throw err;
}
