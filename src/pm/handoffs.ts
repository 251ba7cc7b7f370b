import { canonicalJson, type ResultEnvelope } from '../agents/index.js';
import { newId, sha256 } from '../core/index.js';
import { idsMatch, prepared } from '../db/index.js';
import { appendEvent } from './events.js';
import { addTasks } from './plan.js';
import { getProjectById } from './projects.js';
import type { Run } from './runs.js';
import { moveTask } from './task-state.js';
import { getTask, listTasks, type Task } from './tasks.js';
import type { PmTx } from './transaction.js';

/**
 * Handoffs: a run that asks for follow-up work gets child tasks (linked by parent_id and a
 * handoff row); the parent waits in `working` and completes when its children have finished,
 * with their results folded into its envelope.
 */

export const WAITING_FOR_CHILDREN = 'waiting for its handoff tasks';

/** Creates one child task per handoff (at most once per run: the idempotency key is the run's). */
export async function createHandoffs(
  tx: PmTx,
  task: Task,
  run: Pick<Run, 'id'>,
  envelope: ResultEnvelope,
  artifactIds: string[],
): Promise<Task[]> {
  const project = await getProjectById(tx.client, task.projectId);
  const drafts = envelope.handoffs.map((h, i) => ({
    title: `${h.skill}: ${h.reason}`.slice(0, 500),
    description: `Handed off by ${task.ref} (${task.title}): ${h.reason}`,
    skill: h.skill,
    inputs: h.input,
    tags: task.tags,
    priority: task.priority,
    idempotencyKey: `handoff:${run.id}:${i}`,
  }));
  const children = await addTasks(tx, project, drafts, { parentId: task.id });
  for (const [i, child] of children.entries()) {
    const h = envelope.handoffs[i]!;
    await tx.client.query(
      `INSERT INTO bosun.handoff (id, project_id, from_run_id, from_task_id, to_task_id, skill, reason, context_summary, artifact_ids)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [newId(), task.projectId, run.id, task.id, child.id, h.skill, h.reason, envelope.summary, artifactIds],
    );
    appendEvent(tx, {
      projectId: task.projectId,
      taskId: task.id,
      runId: run.id,
      kind: 'handoff.created',
      data: { from: task.ref, to: child.ref, skill: h.skill, reason: h.reason },
    });
  }
  return children;
}

/** The parent's own envelope plus its children's results, as one envelope. */
function aggregate(own: ResultEnvelope, children: Task[]): ResultEnvelope {
  const results = children.map((c) => {
    const r = c.result as ResultEnvelope | null;
    return {
      ref: c.ref,
      skill: c.skill,
      status: c.status,
      summary: r?.summary ?? c.statusReason ?? '',
      outputs: r?.outputs ?? {},
    };
  });
  const failed = children.filter((c) => c.status === 'failed' || c.status === 'rejected');
  const childArtifacts = children.flatMap((c) => (c.result as ResultEnvelope | null)?.artifacts ?? []);
  const base = {
    summary: [own.summary, ...results.map((r) => `${r.ref} (${r.status}): ${r.summary}`)].join('\n'),
    outputs: { ...own.outputs, handoffs: results },
    artifacts: [...own.artifacts, ...childArtifacts],
    metrics: { ...own.metrics, handoffs: children.length, handoffsFailed: failed.length },
    handoffs: own.handoffs,
  };
  if (!failed.length) return { status: 'completed', ...base };
  return {
    status: 'failed',
    ...base,
    error: {
      code: 'HANDOFF_FAILED',
      message: `handoff task${failed.length > 1 ? 's' : ''} ${failed.map((c) => c.ref).join(', ')} did not succeed`,
      retryable: false,
    },
  };
}

/**
 * For tasks that just finished: a parent whose children have now all finished completes (or
 * fails, when a child did) with the aggregated envelope. Returns the parents that finished, so
 * the caller can carry on from them.
 */
export async function settleParents(tx: PmTx, finishedIds: readonly string[]): Promise<string[]> {
  const finished = idsMatch('c.id', 1, finishedIds);
  const parents = await tx.client.query<{ id: string }>(
    prepared(
      `SELECT DISTINCT p.id FROM bosun.task c JOIN bosun.task p ON p.id = c.parent_id
        WHERE ${finished.sql} AND p.status = 'working' AND p.status_reason = $2
          AND NOT EXISTS (SELECT 1 FROM bosun.task o WHERE o.parent_id = p.id AND o.status NOT IN ('completed', 'failed', 'canceled', 'rejected'))
        ORDER BY p.id`,
      [finished.value, WAITING_FOR_CHILDREN],
    ),
  );
  const settled: string[] = [];
  for (const { id } of parents.rows) {
    const parent = await getTask(tx.client, id, { forUpdate: true });
    const own = await tx.client.query<{ envelope: ResultEnvelope }>(
      `SELECT envelope FROM bosun.run WHERE task_id = $1 AND state = 'completed' ORDER BY attempt DESC LIMIT 1`,
      [id],
    );
    const children = await listTasks(tx.client, { parentId: id, limit: 1000, offset: 0 });
    const envelope = aggregate(own.rows[0]!.envelope, children);
    if (envelope.status === 'completed') {
      await moveTask(tx, parent, {
        status: 'completed',
        result: envelope,
        resultSha256: sha256(canonicalJson(envelope)),
      });
    } else {
      await moveTask(tx, parent, { status: 'failed', reason: envelope.error!.message });
    }
    settled.push(id);
  }
  return settled;
}
