import { idsMatch, prepared } from '../db/index.js';
import type { Queryable } from './context.js';
import { evaluateTrigger, type Readiness, type TaskState, type TriggerRule } from './states.js';
import { moveTask } from './task-state.js';
import type { PmTx } from './transaction.js';

interface Candidate {
  id: string;
  projectId: string;
  ref: string;
  status: TaskState;
  triggerRule: TriggerRule;
}

/** What a trigger rule says, given the ids of the tasks depended on. */
export async function readinessOf(q: Queryable, rule: TriggerRule, upstreamIds: readonly string[]): Promise<Readiness> {
  if (!upstreamIds.length) return 'ready';
  const res = await q.query<{ status: TaskState }>(`SELECT status FROM bosun.task WHERE id = ANY($1::uuid[])`, [
    upstreamIds,
  ]);
  return evaluateTrigger(
    rule,
    res.rows.map((r) => r.status),
  );
}

/**
 * After tasks finished: each blocked task downstream becomes ready when its trigger rule is
 * met, or is canceled when the rule can no longer be met (which may cancel further tasks, so
 * this walks on until nothing changes).
 *
 * Downstream rows are locked before their dependencies are read: two dependencies finishing
 * in two transactions at once then see each other's result, and neither leaves the task
 * blocked for ever. Returns the tasks it canceled.
 */
export async function propagateFinished(tx: PmTx, finishedIds: readonly string[]): Promise<string[]> {
  const canceled: string[] = [];
  let frontier = [...finishedIds];
  while (frontier.length) {
    const dependsOnFrontier = idsMatch('depends_on_id', 1, frontier);
    const locked = await tx.client.query<Candidate>(
      prepared(
        `SELECT t.id, t.project_id AS "projectId", p.slug || '#' || t.number AS ref, t.status, t.trigger_rule AS "triggerRule"
           FROM bosun.task t JOIN bosun.project p ON p.id = t.project_id
          WHERE t.status = 'blocked'
            AND t.id IN (SELECT task_id FROM bosun.task_edge WHERE ${dependsOnFrontier.sql})
          ORDER BY t.id
            FOR UPDATE OF t`,
        [dependsOnFrontier.value],
      ),
    );
    frontier = [];
    for (const task of locked.rows) {
      const upstream = await tx.client.query<{ status: TaskState }>(
        prepared(
          `SELECT u.status FROM bosun.task_edge e JOIN bosun.task u ON u.id = e.depends_on_id WHERE e.task_id = $1`,
          [task.id],
        ),
      );
      const verdict = evaluateTrigger(
        task.triggerRule,
        upstream.rows.map((r) => r.status),
      );
      if (verdict === 'ready') {
        await moveTask(tx, task, { status: 'ready' });
      } else if (verdict === 'impossible') {
        await moveTask(tx, task, {
          status: 'canceled',
          reason: `its dependencies can no longer satisfy ${task.triggerRule}`,
          canceledByUpstream: true,
        });
        frontier.push(task.id);
        canceled.push(task.id);
      }
    }
  }
  return canceled;
}

/**
 * Before a task is retried: tasks canceled only because it failed go back to blocked (and
 * so on downstream), to be released again when it finishes.
 */
export async function reviveDownstream(tx: PmTx, taskId: string): Promise<void> {
  let frontier = [taskId];
  while (frontier.length) {
    const revived = await tx.client.query<Candidate>(
      `SELECT t.id, t.project_id AS "projectId", p.slug || '#' || t.number AS ref, t.status, t.trigger_rule AS "triggerRule"
         FROM bosun.task t JOIN bosun.project p ON p.id = t.project_id
        WHERE t.status = 'canceled' AND t.canceled_by_upstream
          AND t.id IN (SELECT task_id FROM bosun.task_edge WHERE depends_on_id = ANY($1::uuid[]))
        ORDER BY t.id
          FOR UPDATE OF t`,
      [frontier],
    );
    for (const task of revived.rows) {
      await moveTask(tx, task, { status: 'blocked', reason: 'a dependency is being retried' });
    }
    frontier = revived.rows.map((t) => t.id);
  }
}
