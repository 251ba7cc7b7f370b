import { BosunError, newId } from '../../../../core/index.js';
import type { Pool } from '../../../../db/index.js';

/** The SQL of bosun.infra_schedule and bosun.infra_schedule_run (agents/003_infra_schedules). */

export interface TaskTemplate {
  title: string;
  description?: string;
  skill?: string;
  inputs?: Record<string, unknown>;
  tags?: string[];
}

export interface InfraSchedule {
  id: string;
  name: string;
  cron: string;
  kind: 'command' | 'task';
  command: string[] | null;
  taskTemplate: TaskTemplate | null;
  project: string | null;
  timeoutSeconds: number;
  memoryMb: number;
  allowNetwork: boolean;
  enabled: boolean;
  lastEnqueuedAt: Date | null;
  createdAt: Date;
}

export interface ScheduleRun {
  id: number;
  scheduleId: string;
  startedAt: Date;
  finishedAt: Date | null;
  status: 'running' | 'succeeded' | 'failed';
  durationMs: number | null;
  exitCode: number | null;
  detail: string | null;
  taskRef: string | null;
  isolation: string | null;
}

const COLUMNS = `id, name, cron, kind, command, task_template, project, timeout_seconds, memory_mb, allow_network,
  enabled, last_enqueued_at, created_at`;

function fromRow(r: Record<string, unknown>): InfraSchedule {
  return {
    id: r.id as string,
    name: r.name as string,
    cron: r.cron as string,
    kind: r.kind as InfraSchedule['kind'],
    command: (r.command as string[] | null) ?? null,
    taskTemplate: (r.task_template as TaskTemplate | null) ?? null,
    project: (r.project as string | null) ?? null,
    timeoutSeconds: r.timeout_seconds as number,
    memoryMb: r.memory_mb as number,
    allowNetwork: r.allow_network as boolean,
    enabled: r.enabled as boolean,
    lastEnqueuedAt: (r.last_enqueued_at as Date | null) ?? null,
    createdAt: r.created_at as Date,
  };
}

function runFromRow(r: Record<string, unknown>): ScheduleRun {
  return {
    id: Number(r.id),
    scheduleId: r.schedule_id as string,
    startedAt: r.started_at as Date,
    finishedAt: (r.finished_at as Date | null) ?? null,
    status: r.status as ScheduleRun['status'],
    durationMs: (r.duration_ms as number | null) ?? null,
    exitCode: (r.exit_code as number | null) ?? null,
    detail: (r.detail as string | null) ?? null,
    taskRef: (r.task_ref as string | null) ?? null,
    isolation: (r.isolation as string | null) ?? null,
  };
}

export type NewSchedule = Omit<InfraSchedule, 'id' | 'enabled' | 'lastEnqueuedAt' | 'createdAt'>;

/** Creates a schedule, or replaces the one of that name (its runs are kept: the name is the identity a person sees). */
export async function saveSchedule(pool: Pool, s: NewSchedule): Promise<InfraSchedule> {
  const res = await pool.query(
    `INSERT INTO bosun.infra_schedule (id, name, cron, kind, command, task_template, project, timeout_seconds, memory_mb, allow_network)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (name) DO UPDATE SET cron = EXCLUDED.cron, kind = EXCLUDED.kind, command = EXCLUDED.command,
       task_template = EXCLUDED.task_template, project = EXCLUDED.project, timeout_seconds = EXCLUDED.timeout_seconds,
       memory_mb = EXCLUDED.memory_mb, allow_network = EXCLUDED.allow_network, enabled = true,
       created_at = now(), last_enqueued_at = NULL
     RETURNING ${COLUMNS}`,
    [
      newId(),
      s.name,
      s.cron,
      s.kind,
      s.command,
      s.taskTemplate === null ? null : JSON.stringify(s.taskTemplate),
      s.project,
      s.timeoutSeconds,
      s.memoryMb,
      s.allowNetwork,
    ],
  );
  return fromRow(res.rows[0] as Record<string, unknown>);
}

export async function listSchedules(pool: Pool): Promise<InfraSchedule[]> {
  const res = await pool.query(`SELECT ${COLUMNS} FROM bosun.infra_schedule ORDER BY name`);
  return res.rows.map((r) => fromRow(r as Record<string, unknown>));
}

/** By name or id. */
export async function getSchedule(pool: Pool, nameOrId: string): Promise<InfraSchedule> {
  const res = await pool.query(`SELECT ${COLUMNS} FROM bosun.infra_schedule WHERE name = $1 OR id = $1`, [nameOrId]);
  if (!res.rows[0]) {
    throw new BosunError('NOT_FOUND', `there is no schedule '${nameOrId}'`, {
      hint: '`bosun schedules list` shows the schedules',
      details: { retryable: false },
    });
  }
  return fromRow(res.rows[0] as Record<string, unknown>);
}

export async function deleteSchedule(pool: Pool, nameOrId: string): Promise<boolean> {
  const res = await pool.query(`DELETE FROM bosun.infra_schedule WHERE name = $1 OR id = $1`, [nameOrId]);
  return (res.rowCount ?? 0) > 0;
}

export async function markEnqueued(pool: Pool, id: string, at: Date): Promise<void> {
  await pool.query(`UPDATE bosun.infra_schedule SET last_enqueued_at = $2 WHERE id = $1`, [id, at]);
}

export async function startRun(pool: Pool, scheduleId: string): Promise<number> {
  const res = await pool.query<{ id: string }>(
    `INSERT INTO bosun.infra_schedule_run (schedule_id, status) VALUES ($1, 'running') RETURNING id`,
    [scheduleId],
  );
  return Number(res.rows[0]!.id);
}

export interface RunEnd {
  status: 'succeeded' | 'failed';
  durationMs: number;
  exitCode?: number | null;
  detail?: string | null;
  taskRef?: string | null;
  isolation?: string | null;
}

export async function finishRun(pool: Pool, runId: number, end: RunEnd): Promise<void> {
  await pool.query(
    `UPDATE bosun.infra_schedule_run SET finished_at = now(), status = $2, duration_ms = $3, exit_code = $4,
       detail = $5, task_ref = $6, isolation = $7 WHERE id = $1`,
    [
      runId,
      end.status,
      end.durationMs,
      end.exitCode ?? null,
      end.detail ?? null,
      end.taskRef ?? null,
      end.isolation ?? null,
    ],
  );
}

/** The newest runs first. */
export async function recentRuns(pool: Pool, scheduleId: string, limit = 50): Promise<ScheduleRun[]> {
  const res = await pool.query(
    `SELECT * FROM bosun.infra_schedule_run WHERE schedule_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2`,
    [scheduleId, limit],
  );
  return res.rows.map((r) => runFromRow(r as Record<string, unknown>));
}
