import { z } from 'zod';
import { BosunError, parseWith } from '../../core/index.js';
import { prepared, withTransaction, type Pool } from '../../db/index.js';
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
        [
          m.id,
          m.name,
          m.tier,
          m.description,
          m.version,
          m.executor.kind,
          loaded.source,
          loaded.file,
          JSON.stringify(m),
          availability.agent.available,
          availability.agent.reasons,
        ],
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
          [
            m.id,
            s.id,
            s.name,
            s.description,
            s.tags,
            s.examples,
            s.accepts,
            JSON.stringify(s.inputSchema),
            JSON.stringify(s.outputSchema),
            availability.skills.get(s.id)?.available ?? false,
          ],
        );
      }
      await client.query(
        `UPDATE bosun.agent_skill SET active = false WHERE agent_id = $1 AND active AND NOT (skill_id = ANY($2))`,
        [m.id, m.skills.map((s) => s.id)],
      );
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
  const res = await pool.query<{
    agent_id: string;
    skill_id: string;
    runs: number;
    successes: number;
    p50_duration_ms: number | null;
  }>(`SELECT agent_id, skill_id, runs, successes, p50_duration_ms FROM bosun.agent_skill_stats`);
  return res.rows.map((r) => ({
    agentId: r.agent_id,
    skillId: r.skill_id,
    runs: r.runs,
    successes: r.successes,
    p50DurationMs: r.p50_duration_ms,
  }));
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

/**
 * Counts finished runs of skills (cache hits are not runs) and recomputes each skill's p50
 * duration, in one statement however many outcomes: a busy worker's outcomes share a round
 * trip and one lock of each statistics row. Returns the statistics as they are now, one per
 * agent × skill given. The outcomes are checked by the caller (runOutcomeSchema): the
 * registry checks each as it arrives, so that an invalid one fails alone.
 */
export async function recordRunOutcomes(pool: Pool, list: readonly RunOutcome[]): Promise<SkillStats[]> {
  if (!list.length) return [];
  try {
    const res = await pool.query<{
      agent_id: string;
      skill_id: string;
      runs: number;
      successes: number;
      p50_duration_ms: number | null;
    }>(
      prepared(
        `WITH given AS (
           SELECT agent_id, skill_id, count(*)::int AS runs, count(*) FILTER (WHERE ok)::int AS successes,
                  array_agg(duration_ms ORDER BY n) AS durations
             FROM unnest($1::text[], $2::text[], $3::boolean[], $4::int[]) WITH ORDINALITY AS o(agent_id, skill_id, ok, duration_ms, n)
            GROUP BY agent_id, skill_id),
         prior AS (
           SELECT s.agent_id, s.skill_id, s.recent_durations_ms FROM bosun.agent_skill_stats s JOIN given g USING (agent_id, skill_id)
            ORDER BY s.agent_id, s.skill_id FOR UPDATE OF s),
         appended AS (
           SELECT g.*, coalesce(p.recent_durations_ms, '{}') || g.durations AS arr FROM given g LEFT JOIN prior p USING (agent_id, skill_id)),
         recent AS (
           SELECT agent_id, skill_id, runs, successes, arr[greatest(1, cardinality(arr) - $5 + 1):] AS arr FROM appended)
         INSERT INTO bosun.agent_skill_stats AS s (agent_id, skill_id, runs, successes, recent_durations_ms, p50_duration_ms, last_run_at)
         SELECT agent_id, skill_id, runs, successes, arr, (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY d) FROM unnest(arr) AS d), now()
           FROM recent ORDER BY agent_id, skill_id
         ON CONFLICT (agent_id, skill_id) DO UPDATE SET
           runs = s.runs + EXCLUDED.runs, successes = s.successes + EXCLUDED.successes,
           recent_durations_ms = EXCLUDED.recent_durations_ms, p50_duration_ms = EXCLUDED.p50_duration_ms, last_run_at = now()
         RETURNING agent_id, skill_id, runs, successes, p50_duration_ms`,
        [
          list.map((o) => o.agentId),
          list.map((o) => o.skillId),
          list.map((o) => o.ok),
          list.map((o) => o.durationMs),
          DURATION_WINDOW,
        ],
      ),
    );
    return res.rows.map((r) => ({
      agentId: r.agent_id,
      skillId: r.skill_id,
      runs: r.runs,
      successes: r.successes,
      p50DurationMs: r.p50_duration_ms,
    }));
  } catch (err) {
    if ((err as { code?: string }).code === '23503') {
      const pairs = [...new Set(list.map((o) => `${o.agentId} ${o.skillId}`))];
      const message =
        pairs.length === 1
          ? `agent '${list[0]!.agentId}' has no skill '${list[0]!.skillId}' in the registry`
          : `the registry lacks at least one of these agent skills: ${pairs.join(', ')}`;
      throw new BosunError('NOT_FOUND', message, {
        hint: 'open the registry (it syncs the manifests) before recording runs; `bosun agents list` shows the skills',
      });
    }
    throw err;
  }
}

/** Counts one finished run of a skill; returns its statistics as they are now. */
export async function recordRunOutcome(pool: Pool, outcome: RunOutcome): Promise<SkillStats> {
  const [stats] = await recordRunOutcomes(pool, [parseWith(runOutcomeSchema, outcome, 'run outcome')]);
  return stats!;
}
