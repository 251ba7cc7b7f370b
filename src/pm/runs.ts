import { newId } from '../core/index.js';
import { prepared } from '../db/index.js';
import type { Queryable } from './context.js';
import { appendEvent } from './events.js';
import type { RunState } from './states.js';
import type { PmTx } from './transaction.js';

/** The `bosun.run` table: one attempt at a task, with its lease, progress, outcome and usage. */
export interface Run {
  id: string;
  taskId: string;
  projectId: string;
  attempt: number;
  agentId: string | null;
  agentVersion: string | null;
  skill: string | null;
  claimedBy: string;
  jobId: string | null;
  state: RunState;
  progress: { percent?: number; message?: string } | null;
  heartbeatAt: Date;
  startedAt: Date;
  finishedAt: Date | null;
  envelope: Record<string, unknown> | null;
  error: { code: string; message: string; retryable: boolean } | null;
  wallMs: number | null;
  tokens: number | null;
  cost: number | null;
}

const runColumns = `
  id, task_id AS "taskId", project_id AS "projectId", attempt, agent_id AS "agentId", agent_version AS "agentVersion",
  skill, claimed_by AS "claimedBy", job_id AS "jobId", state, progress, heartbeat_at AS "heartbeatAt",
  started_at AS "startedAt", finished_at AS "finishedAt", envelope, error, wall_ms AS "wallMs", tokens, cost::float8 AS cost`;

export interface NewRun {
  taskId: string;
  projectId: string;
  taskRef: string;
  claimedBy: string;
  skill: string | null;
  agentId?: string | null;
  agentVersion?: string | null;
  jobId?: string | null;
}

/** Opens the next attempt (the task's attempt counter goes up with it). */
export async function startRun(tx: PmTx, r: NewRun): Promise<Run> {
  const res = await tx.client.query<Run>(
    prepared(
      `WITH counted AS (
         UPDATE bosun.task SET attempts = attempts + 1 WHERE id = $2 RETURNING attempts)
       INSERT INTO bosun.run (id, task_id, project_id, attempt, agent_id, agent_version, skill, claimed_by, job_id, state)
       SELECT $1, $2, $3, counted.attempts, $4, $5, $6, $7, $8, 'working' FROM counted
       RETURNING ${runColumns}`,
      [
        newId(),
        r.taskId,
        r.projectId,
        r.agentId ?? null,
        r.agentVersion ?? null,
        r.skill,
        r.claimedBy,
        r.jobId ?? null,
      ],
    ),
  );
  const run = res.rows[0]!;
  appendEvent(tx, {
    projectId: r.projectId,
    taskId: r.taskId,
    runId: run.id,
    kind: 'run.started',
    data: {
      ref: r.taskRef,
      attempt: run.attempt,
      claimedBy: r.claimedBy,
      ...(r.agentId ? { agentId: r.agentId } : {}),
    },
  });
  return run;
}

/** The attempt in progress, if any (locked when asked). */
export async function openRun(
  q: Queryable,
  taskId: string,
  options: { forUpdate?: boolean } = {},
): Promise<Run | null> {
  const res = await q.query<Run>(
    prepared(
      `SELECT ${runColumns} FROM bosun.run
        WHERE task_id = $1 AND state IN ('submitted', 'working', 'input-required')
        ORDER BY attempt DESC LIMIT 1 ${options.forUpdate ? 'FOR UPDATE' : ''}`,
      [taskId],
    ),
  );
  return res.rows[0] ?? null;
}

export interface RunOutcome {
  state: RunState;
  envelope?: Record<string, unknown> | null;
  error?: { code: string; message: string; retryable: boolean } | null;
  tokens?: number | null;
  cost?: number | null;
}

/** Closes an attempt with its outcome; wall time is measured from its start. */
export async function finishRun(
  tx: PmTx,
  run: Pick<Run, 'id' | 'taskId' | 'projectId' | 'attempt'>,
  outcome: RunOutcome,
  taskRef: string,
): Promise<void> {
  await tx.client.query(
    prepared(
      `UPDATE bosun.run SET state = $2, envelope = $3, error = $4, tokens = $5, cost = $6,
              finished_at = now(), heartbeat_at = now(),
              wall_ms = (extract(epoch FROM now() - started_at) * 1000)::int
        WHERE id = $1`,
      [
        run.id,
        outcome.state,
        outcome.envelope ?? null,
        outcome.error ?? null,
        outcome.tokens ?? null,
        outcome.cost ?? null,
      ],
    ),
  );
  appendEvent(tx, {
    projectId: run.projectId,
    taskId: run.taskId,
    runId: run.id,
    kind: 'run.finished',
    data: {
      ref: taskRef,
      attempt: run.attempt,
      state: outcome.state,
      ...(outcome.error ? { error: outcome.error } : {}),
    },
  });
}

/** Records progress and renews the heartbeat (an assistant's "still on it"). */
export async function recordProgress(
  q: Queryable,
  runId: string,
  progress: { percent?: number; message?: string },
): Promise<void> {
  await q.query(prepared(`UPDATE bosun.run SET progress = $2, heartbeat_at = now() WHERE id = $1`, [runId, progress]));
}

export async function listRuns(q: Queryable, taskId: string): Promise<Run[]> {
  const res = await q.query<Run>(`SELECT ${runColumns} FROM bosun.run WHERE task_id = $1 ORDER BY attempt`, [taskId]);
  return res.rows;
}

/** Time spent per task (finished runs by their wall time, open ones until now) and attempts. */
export async function timeByTask(q: Queryable, projectId: string): Promise<Map<string, { runs: number; ms: number }>> {
  const res = await q.query<{ taskId: string; runs: number; ms: number }>(
    `SELECT task_id AS "taskId", count(*)::int AS runs,
            sum(COALESCE(wall_ms, extract(epoch FROM now() - started_at) * 1000))::float8 AS ms
       FROM bosun.run WHERE project_id = $1 GROUP BY task_id`,
    [projectId],
  );
  return new Map(res.rows.map((r) => [r.taskId, { runs: r.runs, ms: Math.round(r.ms) }]));
}

export async function timeSpentOnProject(q: Queryable, projectId: string): Promise<number> {
  const res = await q.query<{ ms: number | null }>(
    `SELECT sum(COALESCE(wall_ms, extract(epoch FROM now() - started_at) * 1000))::float8 AS ms FROM bosun.run WHERE project_id = $1`,
    [projectId],
  );
  return Math.round(res.rows[0]?.ms ?? 0);
}

/** The agent needs input: the attempt stays open, holding what it returned so far. */
export async function pauseRunForInput(
  tx: PmTx,
  run: Pick<Run, 'id' | 'taskId' | 'projectId' | 'attempt'>,
  envelope: Record<string, unknown>,
  taskRef: string,
): Promise<void> {
  await tx.client.query(
    `UPDATE bosun.run SET state = 'input-required', envelope = $2, heartbeat_at = now() WHERE id = $1`,
    [run.id, envelope],
  );
  appendEvent(tx, {
    projectId: run.projectId,
    taskId: run.taskId,
    runId: run.id,
    kind: 'run.progress',
    data: { ref: taskRef, attempt: run.attempt, state: 'input-required' },
  });
}

/** Runs in progress per agent: the load routing weighs against each agent's concurrency. */
export async function activeRunsByAgent(q: Queryable): Promise<Record<string, number>> {
  const res = await q.query<{ agentId: string; n: number }>(
    `SELECT agent_id AS "agentId", count(*)::int AS n FROM bosun.run WHERE state = 'working' AND agent_id IS NOT NULL GROUP BY agent_id`,
  );
  return Object.fromEntries(res.rows.map((r) => [r.agentId, r.n]));
}

/** The run's heartbeat: its holder is alive. */
export async function touchRun(q: Queryable, runId: string): Promise<void> {
  await q.query(prepared(`UPDATE bosun.run SET heartbeat_at = now() WHERE id = $1`, [runId]));
}
