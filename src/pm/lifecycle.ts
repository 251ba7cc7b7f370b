import { BosunError } from '../core/index.js';
import type { PmContext, Queryable } from './context.js';
import { renderProjectDocument } from './document.js';
import { appendEvent } from './events.js';
import { getProject, updateProjectPhase, type PhaseChange, type Project } from './projects.js';
import { finishRun, openRun } from './runs.js';
import { phaseMoves, phaseSequence, resumablePhases, type ProjectPhase } from './states.js';
import { moveTask } from './task-state.js';
import { countTasksByStatus, getTasksByIds } from './tasks.js';
import { pmTransaction, type PmTx } from './transaction.js';

/**
 * The project lifecycle: planning → execution → documentation → archiving, plus on hold and
 * cancelled. Every move locks the project row, checks its guard, and writes one event.
 * Archiving itself (lake copy, verification, freeing rows) is archive.ts.
 */

/** Writes a phase change and its event (and the document's, when one comes with it). */
export async function changePhase(tx: PmTx, project: Project, change: PhaseChange, reason?: string): Promise<Project> {
  const updated = await updateProjectPhase(tx.client, project.id, change);
  appendEvent(tx, {
    projectId: project.id,
    kind: 'project.phase',
    data: { from: project.status, to: change.status, ...(reason ? { reason } : {}) },
  });
  if (change.document !== undefined) {
    appendEvent(tx, { projectId: project.id, kind: 'project.document', data: { chars: change.document.length } });
  }
  return updated;
}

/** The phase `advance` goes to when not told. */
export function nextPhase(project: Project): ProjectPhase {
  const hints: Partial<Record<ProjectPhase, string>> = {
    on_hold: `resume it first: \`bosun project resume ${project.slug}\``,
    archived: `bring it back with \`bosun project reopen ${project.slug}\``,
    archiving: `finish archiving: \`bosun project archive ${project.slug}\``,
    cancelled: `a cancelled project can only be archived: \`bosun project archive ${project.slug}\``,
  };
  const i = phaseSequence.indexOf(project.status);
  const next = i >= 0 ? phaseSequence[i + 1] : undefined;
  if (!next || hints[project.status]) {
    throw new BosunError('CONFLICT', `project ${project.slug} is ${project.status}; it has no next phase`, {
      hint: hints[project.status],
    });
  }
  return next;
}

/** Why a project cannot enter `to` right now, or null. */
async function guardFailure(
  q: Queryable,
  project: Project,
  to: ProjectPhase,
): Promise<{ message: string; hint: string } | null> {
  const counts = await countTasksByStatus(q, project.id);
  if (to === 'execution' && project.status === 'planning' && !counts.ready) {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    return {
      message: `project ${project.slug} has no ready task (${total} task${total === 1 ? '' : 's'})`,
      hint: total
        ? 'every task waits on another; check the dependencies with `bosun task list`'
        : `add tasks with \`bosun task add ${project.slug} "<title>"\``,
    };
  }
  if (to === 'documentation') {
    const open = await q.query<{ ref: string; status: string }>(
      `SELECT $2 || '#' || number AS ref, status FROM bosun.task
        WHERE project_id = $1 AND status NOT IN ('completed', 'failed', 'canceled', 'rejected')
        ORDER BY number LIMIT 10`,
      [project.id, project.slug],
    );
    if (open.rows.length) {
      return {
        message: `project ${project.slug} has unfinished tasks: ${open.rows.map((r) => `${r.ref} (${r.status})`).join(', ')}`,
        hint: 'finish or cancel them first (`bosun task complete|fail|cancel`)',
      };
    }
  }
  if (to === 'archiving' && !project.documentAt) {
    return {
      message: `project ${project.slug} has no project document yet`,
      hint: 'it is written on entering documentation',
    };
  }
  return null;
}

/** Where a project would go next and what stops it now (null: nothing), for a page that offers the move. */
export async function nextPhaseGuard(
  q: Queryable,
  slug: string,
): Promise<{ next: ProjectPhase | null; blocker: { message: string; hint?: string } | null }> {
  const project = await getProject(q, slug);
  let next: ProjectPhase;
  try {
    next = nextPhase(project);
  } catch (err) {
    const e = err as BosunError;
    return { next: null, blocker: { message: e.message, ...(e.hint ? { hint: e.hint } : {}) } };
  }
  return { next, blocker: next === 'archiving' ? null : await guardFailure(q, project, next) };
}

/**
 * Moves a project to `to` (default: the next phase) if the move is legal and its guard holds.
 * Entering documentation writes the project document. Archiving is not done here: callers
 * use archiveProject, which calls `checkCanArchive` first.
 */
export async function advanceProject(pm: PmContext, slug: string, to?: ProjectPhase): Promise<Project> {
  return pmTransaction(pm, async (tx) => {
    const project = await getProject(tx.client, slug, { forUpdate: true });
    const target = to ?? nextPhase(project);
    if (target === 'archiving') {
      throw new BosunError('INVALID_INPUT', 'archiving is its own command', {
        hint: `run \`bosun project archive ${slug}\``,
      });
    }
    if (!phaseMoves[project.status].includes(target)) {
      throw new BosunError('CONFLICT', `project ${slug} is ${project.status}; it cannot move to ${target}`, {
        hint: phaseMoves[project.status].length
          ? `from ${project.status} it can move to: ${phaseMoves[project.status].join(', ')}`
          : undefined,
      });
    }
    const failure = await guardFailure(tx.client, project, target);
    if (failure) throw new BosunError('CONFLICT', failure.message, { hint: failure.hint });
    if (target === 'documentation') {
      const document = await renderProjectDocument(tx.client, { ...project, status: 'documentation' });
      return changePhase(tx, project, { status: target, document });
    }
    if (target === 'execution') {
      // tasks that were ready while planning can now be dispatched
      const ready = await tx.client.query<{ id: string }>(
        `SELECT id FROM bosun.task WHERE project_id = $1 AND status = 'ready'`,
        [project.id],
      );
      tx.readyTaskIds.push(...ready.rows.map((r) => r.id));
    }
    return changePhase(tx, project, { status: target });
  });
}

/** Guard of archiving, for archive.ts: the project exists, may be archived, and has its document. */
export async function checkCanArchive(tx: PmTx, slug: string): Promise<Project> {
  const project = await getProject(tx.client, slug, { forUpdate: true });
  if (project.status !== 'archiving' && !phaseMoves[project.status].includes('archiving')) {
    throw new BosunError(
      'CONFLICT',
      `project ${slug} is ${project.status}; only a documented or cancelled project can be archived`,
      {
        hint:
          project.status === 'execution'
            ? `advance it to documentation first: \`bosun project advance ${slug}\``
            : undefined,
      },
    );
  }
  const failure = await guardFailure(tx.client, project, 'archiving');
  if (failure) throw new BosunError('CONFLICT', failure.message, { hint: failure.hint });
  return project;
}

export async function holdProject(pm: PmContext, slug: string, reason?: string): Promise<Project> {
  return pmTransaction(pm, async (tx) => {
    const project = await getProject(tx.client, slug, { forUpdate: true });
    if (!(resumablePhases as readonly string[]).includes(project.status)) {
      throw new BosunError(
        'CONFLICT',
        `project ${slug} is ${project.status}; only a project in planning, execution or documentation can be put on hold`,
      );
    }
    return changePhase(tx, project, { status: 'on_hold', heldFrom: project.status }, reason);
  });
}

export async function resumeProject(pm: PmContext, slug: string): Promise<Project> {
  return pmTransaction(pm, async (tx) => {
    const project = await getProject(tx.client, slug, { forUpdate: true });
    if (project.status !== 'on_hold' || !project.heldFrom) {
      throw new BosunError('CONFLICT', `project ${slug} is ${project.status}, not on hold`);
    }
    if (project.heldFrom === 'execution') {
      const ready = await tx.client.query<{ id: string }>(
        `SELECT id FROM bosun.task WHERE project_id = $1 AND status = 'ready'`,
        [project.id],
      );
      tx.readyTaskIds.push(...ready.rows.map((r) => r.id));
    }
    return changePhase(tx, project, { status: project.heldFrom, heldFrom: null });
  });
}

/** Cancels the project and every unfinished task and run, then writes the project document. */
export async function cancelProject(pm: PmContext, slug: string, reason: string): Promise<Project> {
  return pmTransaction(pm, async (tx) => {
    const project = await getProject(tx.client, slug, { forUpdate: true });
    if (!['planning', 'execution', 'documentation', 'on_hold'].includes(project.status)) {
      throw new BosunError('CONFLICT', `project ${slug} is ${project.status}; it cannot be cancelled`);
    }
    const open = await tx.client.query<{ id: string }>(
      `SELECT id FROM bosun.task WHERE project_id = $1 AND status NOT IN ('completed', 'failed', 'canceled', 'rejected')
        ORDER BY id FOR UPDATE`,
      [project.id],
    );
    for (const task of await getTasksByIds(
      tx.client,
      open.rows.map((r) => r.id),
    )) {
      await moveTask(tx, task, { status: 'canceled', reason: `the project was cancelled: ${reason}` });
      const run = await openRun(tx.client, task.id, { forUpdate: true });
      if (run) await finishRun(tx, run, { state: 'canceled' }, task.ref);
    }
    const document = await renderProjectDocument(tx.client, { ...project, status: 'cancelled' });
    return changePhase(tx, project, { status: 'cancelled', heldFrom: null, document }, reason);
  });
}
