import { z } from 'zod';
import { BosunError, parseWith } from '../../core/index.js';
import { withTransaction, type Pool } from '../../db/index.js';
import type { LoadedManifest } from '../manifest/load.js';
import type { AgentAvailability } from './availability.js';

/** SQL for bosun.agent, bosun.agent_skill and bosun.agent_skill_stats: the only module that touches them. */

// Any fixed 64-bit key: concurrent registry syncs (CLI, workers) take turns.
const SYNC_LOCK_KEY = '7021781236438951274';

/** How many recent durations p50 is computed over. */
const DURATION_WINDOW = 101;

export interface SyncEntry {
  loaded: LoadedManifest;
  availability: AgentAvailability;
}

/**
 * Writes the manifests as loaded now: upserts agents and skills, and marks those whose manifest
 * is gone inactive (kept, since runs and statistics name them).
 */
export async function syncRegistry(pool: Pool, entries: readonly SyncEntry[]): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [SYNC_LOCK_KEY]);
    for (const { loaded, availability } of entries) {
      const m = loaded.manifest;
      await client.query(
        `INSERT INTO bosun.agent (id, name, tier, description, version, executor_kind, source, source_file, manifest,
                                  available, unavailable_reasons, active, synced_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, true, now())
         ON CONFLICT (id) DO UPDATE SET
           name = EXCLUDED.name, tier = EXCLUDED.tier, description = EXCLUDED.description, version = EXCLUDED.version,
           executor_kind = EXCLUDED.executor_kind, source = EXCLUDED.source, source_file = EXCLUDED.source_file,
           manifest = EXCLUDED.manifest, available = EXCLUDED.available,
           unavailable_reasons = EXCLUDED.unavailable_reasons, active = true, synced_at = now()`,
        [m.id, m.name, m.tier, m.description, m.version, m.executor.kind, loaded.source, loaded.file, JSON.stringify(m),
          availability.agent.available, availability.agent.reasons],
      );
      for (const s of m.skills) {
        await client.query(
          `INSERT INTO bosun.agent_skill (agent_id, skill_id, name, description, tags, examples, accepts, input_schema,
                                          output_schema, available, active)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, true)
           ON CONFLICT (agent_id, skill_id) DO UPDATE SET
             name = EXCLUDED.name, description = EXCLUDED.description, tags = EXCLUDED.tags, examples = EXCLUDED.examples,
             accepts = EXCLUDED.accepts, input_schema = EXCLUDED.input_schema, output_schema = EXCLUDED.output_schema,
             available = EXCLUDED.available, active = true`,
          [m.id, s.id, s.name, s.description, s.tags, s.examples, s.accepts, JSON.stringify(s.inputSchema),
            JSON.stringify(s.outputSchema), availability.skills.get(s.id)?.available ?? false],
        );
      }
      await client.query(`UPDATE bosun.agent_skill SET active = false WHERE agent_id = $1 AND active AND NOT (skill_id = ANY($2))`, [
        m.id,
        m.skills.map((s) => s.id),
      ]);
    }
    const ids = entries.map((e) => e.loaded.manifest.id);
    await client.query(`UPDATE bosun.agent SET active = false WHERE active AND NOT (id = ANY($1))`, [ids]);
    await client.query(`UPDATE bosun.agent_skill SET active = false WHERE active AND NOT (agent_id = ANY($1))`, [ids]);
  });
}

export interface SkillStats {
  agentId: string;
  skillId: string;
  runs: number;
  successes: number;
  p50DurationMs: number | null;
}

export async function readSkillStats(pool: Pool): Promise<SkillStats[]> {
  const res = await pool.query<{ agent_id: string; skill_id: string; runs: number; successes: number; p50_duration_ms: number | null }>(
    `SELECT agent_id, skill_id, runs, successes, p50_duration_ms FROM bosun.agent_skill_stats`,
  );
  return res.rows.map((r) => ({ agentId: r.agent_id, skillId: r.skill_id, runs: r.runs, successes: r.successes, p50DurationMs: r.p50_duration_ms }));
}

export const runOutcomeSchema = z
  .object({
    agentId: z.string().min(1),
    skillId: z.string().min(1),
    ok: z.boolean(),
    durationMs: z.number().int().min(0).max(2_147_483_647),
  })
  .strict();
export type RunOutcome = z.infer<typeof runOutcomeSchema>;

/** Counts one finished run of a skill (cache hits are not runs) and recomputes its p50 duration. */
export async function recordRunOutcome(pool: Pool, outcome: RunOutcome): Promise<SkillStats> {
  const o = parseWith(runOutcomeSchema, outcome, 'run outcome');
  try {
    const res = await pool.query<{ runs: number; successes: number; p50_duration_ms: number | null }>(
      `WITH prior AS (
         SELECT recent_durations_ms FROM bosun.agent_skill_stats WHERE agent_id = $1 AND skill_id = $2 FOR UPDATE),
       appended AS (
         SELECT coalesce((SELECT recent_durations_ms FROM prior), '{}') || $4::int AS arr),
       recent AS (
         SELECT arr[greatest(1, cardinality(arr) - $5 + 1):] AS arr FROM appended)
       INSERT INTO bosun.agent_skill_stats AS s (agent_id, skill_id, runs, successes, recent_durations_ms, p50_duration_ms, last_run_at)
       VALUES ($1, $2, 1, $3, (SELECT arr FROM recent),
               (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY d) FROM recent, unnest(recent.arr) AS d), now())
       ON CONFLICT (agent_id, skill_id) DO UPDATE SET
         runs = s.runs + 1, successes = s.successes + EXCLUDED.successes,
         recent_durations_ms = EXCLUDED.recent_durations_ms, p50_duration_ms = EXCLUDED.p50_duration_ms, last_run_at = now()
       RETURNING runs, successes, p50_duration_ms`,
      [o.agentId, o.skillId, o.ok ? 1 : 0, o.durationMs, DURATION_WINDOW],
    );
    const row = res.rows[0]!;
    return { agentId: o.agentId, skillId: o.skillId, runs: row.runs, successes: row.successes, p50DurationMs: row.p50_duration_ms };
  } catch (err) {
    if ((err as { code?: string }).code === '23503') {
      throw new BosunError('NOT_FOUND', `agent '${o.agentId}' has no skill '${o.skillId}' in the registry`, {
        hint: 'open the registry (it syncs the manifests) before recording runs; `bosun agents list` shows the skills',
      });
    }
    throw err;
  }
}
