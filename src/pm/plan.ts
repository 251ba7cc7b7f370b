import { z } from 'zod';
import { BosunError, newId, parseWith, sha256 } from '../core/index.js';
import { prepared } from '../db/index.js';
import { canonicalJson } from '../agents/index.js';
import { ancestorsOf, topologicalOrder } from './dag.js';
import { appendEvent } from './events.js';
import { stepReferencesIn } from './expressions.js';
import type { PmContext } from './context.js';
import { getProject, reserveTaskNumbers, type Project } from './projects.js';
import { readinessOf } from './readiness.js';
import { assertKnownSkill } from './skills.js';
import { triggerRules, type TaskState } from './states.js';
import { getTask, getTasksByIds, type Task } from './tasks.js';
import { acceptanceCheckSchema } from './templates/schema.js';
import { pmTransaction, type PmTx } from './transaction.js';

/**
 * A plan is a list of task drafts that may depend on each other (by key) and on tasks the
 * project already has (by reference). Templates, `task add`, the MCP `create_tasks` tool and
 * handoffs all create tasks through `addTasks`, so every path gets the same checks.
 */

export const draftKeySchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)?$/,
    'keys are lowercase letters, digits, _ and - (one dot for an included fragment)',
  )
  .max(82);

export const taskDraftSchema = z
  .object({
    key: draftKeySchema.optional().describe('name other drafts use in dependsOn and {{ steps.<key>.outputs.… }}'),
    title: z.string().trim().min(1).max(500),
    description: z.string().max(20_000).optional(),
    skill: z.string().min(1).optional().describe('dotted skill id, e.g. python.run'),
    tags: z.array(z.string().min(1).max(50)).max(20).default([]),
    inputs: z.record(z.unknown()).default({}),
    dependsOn: z
      .array(z.string().min(1))
      .max(50)
      .default([])
      .describe('keys of drafts in this plan, or existing tasks (<project>#<n>, #<n>, step key)'),
    trigger: z.enum(triggerRules).default('all_success'),
    acceptance: z.array(acceptanceCheckSchema).max(20).default([]),
    priority: z.number().int().min(-1000).max(1000).default(0),
    estimateMinutes: z.number().int().positive().optional(),
    attemptsAllowed: z.number().int().min(1).max(100).default(3),
    manual: z
      .boolean()
      .default(false)
      .describe('a judgement for a person or an assistant: routed, but never run automatically'),
    timeoutSeconds: z.number().int().positive().optional(),
    idempotencyKey: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('a draft whose key the project already has is not added again'),
  })
  .strict();
export type TaskDraft = z.input<typeof taskDraftSchema>;
type ParsedDraft = z.output<typeof taskDraftSchema>;

export const planSchema = z.array(taskDraftSchema).min(1, 'a plan has at least one task').max(500);

/** Phases in which tasks may be added. */
const openPhases = ['planning', 'execution', 'on_hold'];

/** Resolves each draft's dependencies to task ids (existing) or keys (in the plan); checks the DAG. */
async function resolvePlan(tx: PmTx, project: Project, drafts: ParsedDraft[]) {
  const keys = new Set<string>();
  const idempotencyKeys = new Set<string>();
  for (const d of drafts) {
    if (d.skill) assertKnownSkill(d.skill, `task '${d.title}'`);
    if (d.idempotencyKey) {
      if (idempotencyKeys.has(d.idempotencyKey))
        throw new BosunError('INVALID_INPUT', `the plan uses the idempotency key '${d.idempotencyKey}' twice`);
      idempotencyKeys.add(d.idempotencyKey);
    }
    if (!d.key) continue;
    if (keys.has(d.key)) throw new BosunError('INVALID_INPUT', `the plan uses the key '${d.key}' twice`);
    keys.add(d.key);
  }
  const existingKeys = await tx.client.query<{ step_key: string }>(
    `SELECT step_key FROM bosun.task WHERE project_id = $1 AND step_key = ANY($2::text[])`,
    [project.id, [...keys]],
  );
  if (existingKeys.rows.length) {
    throw new BosunError(
      'CONFLICT',
      `project ${project.slug} already has tasks with key ${existingKeys.rows.map((r) => r.step_key).join(', ')}`,
      {
        hint: 'use other keys, or depend on the existing tasks instead',
      },
    );
  }
  const existingDeps = new Map<string, Task>();
  for (const d of drafts) {
    for (const dep of d.dependsOn) {
      if (keys.has(dep) || existingDeps.has(dep)) continue;
      const task = await getTask(tx.client, dep, { projectSlug: project.slug }).catch((err: unknown) => {
        throw new BosunError(
          'INVALID_INPUT',
          `task '${d.title}' depends on '${dep}', which is neither a key in the plan nor a task of ${project.slug}`,
          {
            hint: 'dependsOn takes keys of this plan or existing task references such as #3',
            cause: err,
          },
        );
      });
      if (task.projectId !== project.id) {
        throw new BosunError(
          'INVALID_INPUT',
          `task '${d.title}' depends on ${task.ref}, which belongs to another project`,
        );
      }
      existingDeps.set(dep, task);
    }
  }
  const nodes = drafts.map((d, i) => ({
    key: d.key ?? `#draft${i + 1}`,
    dependsOn: d.dependsOn.filter((x) => keys.has(x)),
    draft: d,
  }));
  const ordered = topologicalOrder(nodes, 'the plan');
  for (const node of ordered) {
    const refs = stepReferencesIn(node.draft.inputs);
    // Walking the ancestors costs O(plan size) per task: only for tasks that read upstream outputs.
    if (!refs.length) continue;
    const upstreamKeys = ancestorsOf(node.key, nodes);
    for (const dep of node.draft.dependsOn) {
      const existing = existingDeps.get(dep);
      if (existing?.stepKey) upstreamKeys.add(existing.stepKey);
    }
    for (const ref of refs) {
      if (!upstreamKeys.has(ref.key)) {
        throw new BosunError(
          'INVALID_INPUT',
          `task '${node.draft.title}' reads steps.${ref.key}.outputs.${ref.path} but does not depend on '${ref.key}'`,
          {
            hint: `add '${ref.key}' to its dependsOn`,
          },
        );
      }
    }
  }
  return { ordered, existingDeps };
}

export interface AddTasksOptions {
  parentId?: string;
}

/**
 * Adds a plan's tasks to a project in one transaction: numbers, edges, each task's first state
 * (ready, blocked, or canceled when its dependencies already rule it out), and an event each.
 * A draft whose idempotency key the project already has returns the existing task instead.
 */
export async function addTasks(
  tx: PmTx,
  project: Project,
  input: readonly TaskDraft[],
  options: AddTasksOptions = {},
): Promise<Task[]> {
  if (!openPhases.includes(project.status)) {
    throw new BosunError(
      'CONFLICT',
      `project ${project.slug} is in ${project.status}; tasks are added in planning or execution (or on hold)`,
      {
        hint:
          project.status === 'documentation'
            ? `go back with \`bosun project advance ${project.slug} --to execution\``
            : undefined,
      },
    );
  }
  const drafts = parseWith(planSchema, input, 'plan');
  const keyed = drafts.filter((d) => d.idempotencyKey);
  const already = keyed.length
    ? await tx.client.query<{ id: string; idempotency_key: string }>(
        `SELECT id, idempotency_key FROM bosun.task WHERE project_id = $1 AND idempotency_key = ANY($2::text[])`,
        [project.id, keyed.map((d) => d.idempotencyKey)],
      )
    : { rows: [] };
  const existingByIdem = new Map(already.rows.map((r) => [r.idempotency_key, r.id]));
  const fresh = drafts.filter((d) => !d.idempotencyKey || !existingByIdem.has(d.idempotencyKey));
  const idsByKey = new Map<string, string>();
  const idByDraft = new Map<ParsedDraft, string>();
  if (fresh.length) {
    const { ordered, existingDeps } = await resolvePlan(tx, project, fresh);
    // Numbers follow the plan as written; rows go in dependency order (an edge needs both ends).
    const first = await reserveTaskNumbers(tx.client, project.id, ordered.length);
    for (const { draft } of ordered) {
      const number = first + fresh.indexOf(draft);
      const id = newId();
      if (draft.key) idsByKey.set(draft.key, id);
      const upstreamIds = draft.dependsOn.map((dep) => idsByKey.get(dep) ?? existingDeps.get(dep)!.id);
      const verdict = await readinessOf(tx.client, draft.trigger, upstreamIds);
      const status: TaskState = verdict === 'ready' ? 'ready' : verdict === 'waiting' ? 'blocked' : 'canceled';
      await tx.client.query(
        prepared(
          `INSERT INTO bosun.task (id, project_id, number, parent_id, step_key, title, description, spec, skill, tags, inputs,
                                   priority, estimate_minutes, status, status_reason, canceled_by_upstream, trigger_rule,
                                   attempts_allowed, timeout_seconds, idempotency_key, cache_key, ready_at, finished_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
                   CASE WHEN $14 = 'ready' THEN now() END, CASE WHEN $14 = 'canceled' THEN now() END)`,
          [
            id,
            project.id,
            number,
            options.parentId ?? null,
            draft.key ?? null,
            draft.title,
            draft.description ?? null,
            { acceptance: draft.acceptance, ...(draft.manual ? { manual: true } : {}) },
            draft.skill ?? null,
            draft.tags,
            draft.inputs,
            draft.priority,
            draft.estimateMinutes ?? null,
            status,
            status === 'canceled' ? `its dependencies can no longer satisfy ${draft.trigger}` : null,
            status === 'canceled',
            draft.trigger,
            draft.attemptsAllowed,
            draft.timeoutSeconds ?? null,
            draft.idempotencyKey ?? null,
            sha256(canonicalJson({ skill: draft.skill ?? null, inputs: draft.inputs })),
          ],
        ),
      );
      if (upstreamIds.length) {
        await tx.client.query(
          prepared(
            `INSERT INTO bosun.task_edge (task_id, depends_on_id, project_id) SELECT $1, unnest($2::uuid[]), $3`,
            [id, upstreamIds, project.id],
          ),
        );
      }
      appendEvent(tx, {
        projectId: project.id,
        taskId: id,
        kind: 'task.created',
        data: {
          ref: `${project.slug}#${number}`,
          title: draft.title,
          status,
          ...(options.parentId ? { parentId: options.parentId } : {}),
        },
      });
      tx.createdTaskIds.push(id);
      if (status === 'ready') tx.readyTaskIds.push(id);
      idByDraft.set(draft, id);
    }
  }
  const ids = drafts.map((d) => (d.idempotencyKey && existingByIdem.get(d.idempotencyKey)) || idByDraft.get(d)!);
  const byId = new Map((await getTasksByIds(tx.client, ids)).map((t) => [t.id, t]));
  return ids.map((id) => byId.get(id)!);
}

/** Adds a plan to a project by slug, in its own transaction; returns the tasks as they are after routing. */
export async function planTasks(
  pm: PmContext,
  slug: string,
  drafts: readonly TaskDraft[],
  options: AddTasksOptions = {},
): Promise<Task[]> {
  const added = await pmTransaction(pm, async (tx) =>
    addTasks(tx, await getProject(tx.client, slug, { forUpdate: true }), drafts, options),
  );
  const now = new Map(
    (
      await getTasksByIds(
        pm.pool,
        added.map((t) => t.id),
      )
    ).map((t) => [t.id, t]),
  );
  return added.map((t) => now.get(t.id)!);
}
