import { BosunError } from '../core/index.js';
import { idsMatch, prepared } from '../db/index.js';
import type { Queryable } from './context.js';
import type { TaskState, TriggerRule } from './states.js';

/** The `bosun.task` and `bosun.task_edge` tables: row types, reads, and state writes. */
export interface Task {
  id: string;
  projectId: string;
  projectSlug: string;
  number: number;
  /** `<project-slug>#<number>`: what people type. */
  ref: string;
  parentId: string | null;
  stepKey: string | null;
  title: string;
  description: string | null;
  spec: TaskSpec;
  skill: string | null;
  tags: string[];
  inputs: Record<string, unknown>;
  priority: number;
  estimateMinutes: number | null;
  status: TaskState;
  statusReason: string | null;
  canceledByUpstream: boolean;
  triggerRule: TriggerRule;
  attemptsAllowed: number;
  attempts: number;
  timeoutSeconds: number | null;
  idempotencyKey: string | null;
  cacheKey: string;
  agentId: string | null;
  route: Record<string, unknown> | null;
  automatic: boolean;
  claimedBy: string | null;
  result: Record<string, unknown> | null;
  resultSha256: string | null;
  createdAt: Date;
  updatedAt: Date;
  readyAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** What "done" means for a task: criteria for a person, and checks evaluated on completion. */
export interface TaskSpec {
  acceptance?: AcceptanceCheck[];
  /** A judgement for a person or an assistant: routed (the best agent is named) but never run automatically. */
  manual?: boolean;
}

export type AcceptanceCheck =
  string | { output: string; op: 'exists' | 'eq' | 'gt' | 'gte' | 'lt' | 'lte'; value?: unknown; description?: string };

export const taskColumns = `
  t.id, t.project_id AS "projectId", p.slug AS "projectSlug", t.number, p.slug || '#' || t.number AS ref,
  t.parent_id AS "parentId", t.step_key AS "stepKey", t.title, t.description, t.spec, t.skill, t.tags, t.inputs,
  t.priority, t.estimate_minutes AS "estimateMinutes", t.status, t.status_reason AS "statusReason",
  t.canceled_by_upstream AS "canceledByUpstream", t.trigger_rule AS "triggerRule",
  t.attempts_allowed AS "attemptsAllowed", t.attempts, t.timeout_seconds AS "timeoutSeconds",
  t.idempotency_key AS "idempotencyKey", t.cache_key AS "cacheKey", t.agent_id AS "agentId", t.route,
  t.automatic, t.claimed_by AS "claimedBy", t.result, t.result_sha256 AS "resultSha256",
  t.created_at AS "createdAt", t.updated_at AS "updatedAt", t.ready_at AS "readyAt",
  t.started_at AS "startedAt", t.finished_at AS "finishedAt"`;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A parsed task reference: a uuid, `<slug>#<n>`, or (inside a known project) `#<n>`, `<n>` or a step key. */
export type TaskRef = { id: string } | { slug: string; number: number } | { slug: string; stepKey: string };

export function parseTaskRef(ref: string, projectSlug?: string): TaskRef {
  const text = ref.trim();
  if (uuidPattern.test(text)) return { id: text.toLowerCase() };
  const full = /^([a-z0-9][a-z0-9._-]*)#(\d+)$/.exec(text);
  if (full) return { slug: full[1]!, number: Number(full[2]) };
  if (projectSlug) {
    const short = /^#?(\d+)$/.exec(text);
    if (short) return { slug: projectSlug, number: Number(short[1]) };
    if (/^[a-z][a-z0-9_.-]*$/.test(text)) return { slug: projectSlug, stepKey: text };
  }
  throw new BosunError('INVALID_INPUT', `'${ref}' is not a task reference`, {
    hint: projectSlug
      ? `use <project>#<n> (e.g. ${projectSlug}#3), #<n>, a step key, or the task's uuid`
      : 'use <project>#<n> (e.g. acme-etl#3) or the task uuid',
  });
}

/** Finds one task; `forUpdate` locks its row until the transaction ends. */
export async function getTask(
  q: Queryable,
  ref: string,
  options: { projectSlug?: string; forUpdate?: boolean } = {},
): Promise<Task> {
  const parsed = parseTaskRef(ref, options.projectSlug);
  const where =
    'id' in parsed
      ? 't.id = $1'
      : 'number' in parsed
        ? 'p.slug = $1 AND t.number = $2'
        : 'p.slug = $1 AND t.step_key = $2';
  const params =
    'id' in parsed ? [parsed.id] : 'number' in parsed ? [parsed.slug, parsed.number] : [parsed.slug, parsed.stepKey];
  const res = await q.query<Task>(
    prepared(
      `SELECT ${taskColumns} FROM bosun.task t JOIN bosun.project p ON p.id = t.project_id
        WHERE ${where} ${options.forUpdate ? 'FOR UPDATE OF t' : ''}`,
      params,
    ),
  );
  const task = res.rows[0];
  if (!task)
    throw new BosunError('NOT_FOUND', `no task '${ref}'`, {
      hint: 'list tasks with `bosun task list --project <slug>`',
    });
  return task;
}

export async function getTasksByIds(q: Queryable, ids: readonly string[]): Promise<Task[]> {
  const res = await q.query<Task>(
    prepared(
      `SELECT ${taskColumns} FROM bosun.task t JOIN bosun.project p ON p.id = t.project_id
        WHERE t.id = ANY($1::uuid[]) ORDER BY t.project_id, t.number`,
      [ids],
    ),
  );
  return res.rows;
}

export async function listTasks(
  q: Queryable,
  filter: {
    projectId?: string | undefined;
    status?: TaskState | undefined;
    parentId?: string | undefined;
    limit: number;
    offset: number;
  },
): Promise<Task[]> {
  const res = await q.query<Task>(
    `SELECT ${taskColumns} FROM bosun.task t JOIN bosun.project p ON p.id = t.project_id
      WHERE ($1::uuid IS NULL OR t.project_id = $1)
        AND ($2::text IS NULL OR t.status = $2)
        AND ($3::uuid IS NULL OR t.parent_id = $3)
      ORDER BY p.slug, t.number
      LIMIT $4 OFFSET $5`,
    [filter.projectId ?? null, filter.status ?? null, filter.parentId ?? null, filter.limit, filter.offset],
  );
  return res.rows;
}

/** Fields that change with a task's state. Omitted fields keep their value. */
export interface TaskStateChange {
  status: TaskState;
  reason?: string | null;
  canceledByUpstream?: boolean;
  claimedBy?: string | null;
  result?: Record<string, unknown> | null;
  resultSha256?: string | null;
}

/** Writes a new state and the timestamps that go with it, to one task or many (guards are the caller's: see task-state.ts). */
export async function setTaskState(
  q: Queryable,
  ids: string | readonly string[],
  change: TaskStateChange,
): Promise<void> {
  const target = idsMatch('id', 1, typeof ids === 'string' ? [ids] : ids);
  await q.query(
    prepared(
      `UPDATE bosun.task SET
          status        = $2,
          status_reason = $3,
          canceled_by_upstream = $4,
          claimed_by    = CASE WHEN $5::boolean THEN $6 ELSE claimed_by END,
          result        = CASE WHEN $7::boolean THEN $8::jsonb ELSE result END,
          result_sha256 = CASE WHEN $7::boolean THEN $9 ELSE result_sha256 END,
          ready_at      = CASE WHEN $2 = 'ready' THEN now() ELSE ready_at END,
          started_at    = CASE WHEN $2 = 'working' THEN COALESCE(started_at, now()) ELSE started_at END,
          finished_at   = CASE WHEN $2 IN ('completed', 'failed', 'canceled', 'rejected') THEN now() ELSE NULL END,
          updated_at    = now()
        WHERE ${target.sql}`,
      [
        target.value,
        change.status,
        change.reason ?? null,
        change.canceledByUpstream ?? false,
        change.claimedBy !== undefined,
        change.claimedBy ?? null,
        change.result !== undefined,
        change.result ?? null,
        change.resultSha256 ?? null,
      ],
    ),
  );
}

/** Ids of the tasks `taskId` depends on, with their states. */
export async function upstreamOf(
  q: Queryable,
  taskId: string,
): Promise<{ id: string; ref: string; status: TaskState; title: string }[]> {
  const res = await q.query<{ id: string; ref: string; status: TaskState; title: string }>(
    prepared(
      `SELECT u.id, p.slug || '#' || u.number AS ref, u.status, u.title
         FROM bosun.task_edge e JOIN bosun.task u ON u.id = e.depends_on_id JOIN bosun.project p ON p.id = u.project_id
        WHERE e.task_id = $1 ORDER BY u.number`,
      [taskId],
    ),
  );
  return res.rows;
}

/** Tasks that depend on `taskId`. */
export async function downstreamOf(
  q: Queryable,
  taskId: string,
): Promise<{ id: string; ref: string; status: TaskState; title: string }[]> {
  const res = await q.query<{ id: string; ref: string; status: TaskState; title: string }>(
    `SELECT d.id, p.slug || '#' || d.number AS ref, d.status, d.title
       FROM bosun.task_edge e JOIN bosun.task d ON d.id = e.task_id JOIN bosun.project p ON p.id = d.project_id
      WHERE e.depends_on_id = $1 ORDER BY d.number`,
    [taskId],
  );
  return res.rows;
}

export async function countTasksByStatus(q: Queryable, projectId: string): Promise<Partial<Record<TaskState, number>>> {
  const res = await q.query<{ status: TaskState; n: number }>(
    `SELECT status, count(*)::int AS n FROM bosun.task WHERE project_id = $1 GROUP BY status`,
    [projectId],
  );
  return Object.fromEntries(res.rows.map((r) => [r.status, r.n]));
}

/** A task in a short list (overviews, MCP answers). */
export type TaskLine = {
  ref: string;
  title: string;
  status: TaskState;
  skill: string | null;
  priority: number;
  agentId: string | null;
  claimedBy: string | null;
  statusReason: string | null;
};

/** The lists an overview shows, each in the order a person would act on it. */
const lineLists = {
  ready: { states: ['ready'], order: 't.priority DESC, t.ready_at, t.number' },
  active: { states: ['submitted', 'working', 'input-required'], order: 't.started_at, t.number' },
  problems: { states: ['failed', 'rejected'], order: 't.finished_at DESC, t.number' },
} as const;

export async function taskLines(
  q: Queryable,
  projectId: string,
  list: keyof typeof lineLists,
  limit: number,
): Promise<TaskLine[]> {
  const { states, order } = lineLists[list];
  const res = await q.query<TaskLine>(
    `SELECT p.slug || '#' || t.number AS ref, t.title, t.status, t.skill, t.priority, t.agent_id AS "agentId",
            t.claimed_by AS "claimedBy", t.status_reason AS "statusReason"
       FROM bosun.task t JOIN bosun.project p ON p.id = t.project_id
      WHERE t.project_id = $1 AND t.status = ANY($2::text[])
      ORDER BY ${order} LIMIT $3`,
    [projectId, states, limit],
  );
  return res.rows;
}

/** The outputs of a project's completed tasks, by step key (to fill `{{ steps.… }}` placeholders). */
export async function outputsByStepKey(
  q: Queryable,
  projectId: string,
  keys: readonly string[],
): Promise<Map<string, Record<string, unknown>>> {
  if (!keys.length) return new Map();
  const res = await q.query<{ key: string; outputs: Record<string, unknown> | null }>(
    prepared(
      `SELECT step_key AS key, result -> 'outputs' AS outputs FROM bosun.task
        WHERE project_id = $1 AND step_key = ANY($2::text[]) AND status = 'completed'`,
      [projectId, keys],
    ),
  );
  return new Map(res.rows.map((r) => [r.key, r.outputs ?? {}]));
}

/** A routing decision to store: the chosen agent, whether it runs by itself, and the whole decision. */
export interface StoredRoute {
  taskId: string;
  agentId: string | null;
  automatic: boolean;
  decision: Record<string, unknown>;
}

/** Stores routing decisions, all in one statement. */
export async function setRoutes(q: Queryable, routes: readonly StoredRoute[]): Promise<void> {
  if (!routes.length) return;
  await q.query(
    prepared(
      `UPDATE bosun.task t SET agent_id = r.agent_id, automatic = r.automatic, route = r.route::jsonb, updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::boolean[], $4::text[]) AS r(id, agent_id, automatic, route)
        WHERE t.id = r.id`,
      [
        routes.map((r) => r.taskId),
        routes.map((r) => r.agentId),
        routes.map((r) => r.automatic),
        routes.map((r) => JSON.stringify(r.decision)),
      ],
    ),
  );
}

/**
 * Locks the tasks among `taskIds` that may be queued now: ready, routed to an automatic agent,
 * in a project in execution. Those that are not (or that another transaction holds) are left
 * out: someone else acts on them.
 */
export async function lockDispatchable(q: Queryable, taskIds: readonly string[]): Promise<Task[]> {
  const res = await q.query<Task>(
    prepared(
      `SELECT ${taskColumns} FROM bosun.task t JOIN bosun.project p ON p.id = t.project_id
        WHERE t.id = ANY($1::uuid[]) AND t.status = 'ready' AND t.automatic AND p.status = 'execution'
        ORDER BY t.priority DESC, t.number
          FOR UPDATE OF t SKIP LOCKED`,
      [taskIds],
    ),
  );
  return res.rows;
}
