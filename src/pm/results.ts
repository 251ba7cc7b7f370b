import { canonicalJson, resultEnvelopeSchema, type ResultEnvelope } from '../agents/index.js';
import { BosunError, parseWith, sha256 } from '../core/index.js';
import { failedAcceptance } from './acceptance.js';
import { recordArtifacts } from './artifacts.js';
import { storeArtifacts } from './artifact-store.js';
import type { PmContext } from './context.js';
import { afterFinish } from './finish.js';
import { createHandoffs, WAITING_FOR_CHILDREN } from './handoffs.js';
import { finishRun, openRun, pauseRunForInput, type Run } from './runs.js';
import { assertKnownSkill } from './skills.js';
import { moveTask } from './task-state.js';
import { getTask, setTaskState, upstreamOf, type Task } from './tasks.js';
import { pmTransaction, type PmTx } from './transaction.js';

/**
 * Results: a result envelope applied to a task and its open run. The same code serves a person
 * or assistant completing a task and the queue job that ran an agent.
 */

const finalStatuses = ['completed', 'failed', 'canceled', 'rejected', 'input-required'];

/** Validates an envelope from outside (file, MCP call); nothing is written when it is invalid. */
export function parseEnvelope(value: unknown): ResultEnvelope {
  const envelope = parseWith(
    resultEnvelopeSchema,
    value,
    'result envelope',
    'INVALID_INPUT',
    'see docs/projects.md, "Result envelopes"',
  );
  if (!finalStatuses.includes(envelope.status)) {
    throw new BosunError(
      'INVALID_INPUT',
      `a result's status is one of ${finalStatuses.join(', ')}, not ${envelope.status}`,
      {
        hint: 'report progress on a task being worked on with `bosun task progress` instead',
      },
    );
  }
  for (const h of envelope.handoffs) assertKnownSkill(h.skill, 'a handoff');
  return envelope;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function envelopeHash(envelope: ResultEnvelope): string {
  return sha256(canonicalJson(envelope));
}

export interface ApplyOptions {
  /** Hash of the envelope as submitted (the idempotency check compares it). */
  hash: string;
  /** A failure the queue will try again: the task waits in submitted instead of failing. */
  willRetry?: boolean;
}

/** A completed envelope whose outputs fail the task's checks becomes a (retryable) failure. */
function checkAcceptance(task: Task, envelope: ResultEnvelope): ResultEnvelope {
  if (envelope.status !== 'completed') return envelope;
  const failures = failedAcceptance(task.spec.acceptance, envelope.outputs);
  if (!failures.length) return envelope;
  return {
    ...envelope,
    status: 'failed',
    error: { code: 'ACCEPTANCE_FAILED', message: failures.join('; '), retryable: true },
  };
}

/**
 * Applies an envelope inside the caller's transaction (task and run locked by the caller):
 * closes the run, records artifacts, creates handoff tasks, moves the task, and releases what
 * waits on it. Returns the task as it is now.
 */
export async function applyEnvelope(
  tx: PmTx,
  task: Task,
  run: Run,
  submitted: ResultEnvelope,
  options: ApplyOptions,
): Promise<Task> {
  const envelope = checkAcceptance(task, submitted);
  const usage = { tokens: envelope.metrics.tokens ?? null, cost: envelope.metrics.cost ?? null };
  if (envelope.status === 'input-required') {
    await pauseRunForInput(tx, run, envelope, task.ref);
    await moveTask(tx, task, { status: 'input-required', reason: envelope.summary, runId: run.id });
    return getTask(tx.client, task.id);
  }
  if (envelope.status === 'completed') {
    // The lineage goes with the artifacts: no artifacts, no need to read the upstream tasks.
    const upstream = envelope.artifacts.length ? await upstreamOf(tx.client, task.id) : [];
    const lineage = {
      task: task.ref,
      attempt: run.attempt,
      agent: run.agentId,
      skill: run.skill ?? task.skill,
      upstream: upstream.map((u) => u.ref),
      // What a data step read and wrote (lake snapshots, files), as its envelope reports it.
      ...(isRecord(envelope.outputs.lineage) ? { data: envelope.outputs.lineage } : {}),
    };
    const artifactIds = await recordArtifacts(
      tx,
      { projectId: task.projectId, taskId: task.id, taskRef: task.ref, runId: run.id },
      envelope.artifacts.map((a) => ({
        name: a.name,
        mediaType: a.mediaType,
        uri: a.path ? `file://${a.path}` : null,
        inline: a.inline ?? null,
        sha256: a.sha256,
        bytes: a.bytes,
        lineage,
      })),
    );
    await finishRun(tx, run, { state: 'completed', envelope, ...usage }, task.ref);
    if (envelope.handoffs.length) {
      await createHandoffs(tx, task, run, envelope, artifactIds);
      await setTaskState(tx.client, task.id, { status: 'working', reason: WAITING_FOR_CHILDREN });
      return getTask(tx.client, task.id);
    }
    await moveTask(tx, task, { status: 'completed', result: envelope, resultSha256: options.hash, runId: run.id });
  } else {
    const error = envelope.error ?? {
      code: envelope.status.toUpperCase(),
      message: envelope.summary || envelope.status,
      retryable: false,
    };
    await finishRun(tx, run, { state: envelope.status, envelope, error, ...usage }, task.ref);
    if (envelope.status === 'failed' && options.willRetry) {
      await moveTask(tx, task, {
        status: 'submitted',
        reason: `attempt ${run.attempt} failed (${error.message}); it will be retried`,
        runId: run.id,
      });
      return getTask(tx.client, task.id);
    }
    await moveTask(tx, task, { status: envelope.status, reason: error.message, runId: run.id });
  }
  await afterFinish(tx, [task.id]);
  return getTask(tx.client, task.id);
}

/**
 * Completes a claimed task with a result envelope (which may also say failed, rejected,
 * canceled or input-required). Completing a completed task again with the same envelope
 * returns it unchanged; with a different one it is a CONFLICT. File artifacts are checked and
 * stored under `artifactsDir` first.
 */
export async function completeTask(
  pm: PmContext,
  ref: string,
  value: unknown,
  options: { artifactsDir: string },
): Promise<{ task: Task; alreadyCompleted: boolean }> {
  const envelope = parseEnvelope(value);
  const hash = envelopeHash(envelope);
  const before = await getTask(pm.pool, ref);
  if (before.status === 'completed') return sameResultOrConflict(before, hash);
  const run = await openRun(pm.pool, before.id);
  if (!run) {
    throw new BosunError('CONFLICT', `task ${before.ref} is ${before.status}; only a claimed task can be completed`, {
      hint: before.status === 'ready' ? `claim it first: bosun task claim --project ${before.projectSlug}` : undefined,
    });
  }
  const stored = {
    ...envelope,
    artifacts: await storeArtifacts(
      options.artifactsDir,
      { projectSlug: before.projectSlug, taskNumber: before.number, attempt: run.attempt },
      envelope.artifacts,
    ),
  };
  return pmTransaction(pm, async (tx: PmTx) => {
    const task = await getTask(tx.client, before.id, { forUpdate: true });
    if (task.status === 'completed') return sameResultOrConflict(task, hash);
    const current = await openRun(tx.client, task.id, { forUpdate: true });
    if (!current)
      throw new BosunError('CONFLICT', `task ${task.ref} is ${task.status}; only a claimed task can be completed`);
    return { task: await applyEnvelope(tx, task, current, stored, { hash }), alreadyCompleted: false };
  });
}

function sameResultOrConflict(task: Task, hash: string): { task: Task; alreadyCompleted: true } {
  if (task.resultSha256 === hash) return { task, alreadyCompleted: true };
  throw new BosunError('CONFLICT', `task ${task.ref} is already completed with a different result`, {
    hint: 'a completed task keeps its first result; add a note, or a new task for the change',
  });
}
