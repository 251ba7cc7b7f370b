/**
 * The vocabularies of the project manager, in one place: project phases, task and run states
 * (A2A's task states plus the two the scheduler needs), trigger rules, and which moves between
 * them are legal. Guards that need the database live in lifecycle.ts and task-state.ts.
 */

export const projectPhases = [
  'planning',
  'execution',
  'documentation',
  'archiving',
  'archived',
  'on_hold',
  'cancelled',
] as const;
export type ProjectPhase = (typeof projectPhases)[number];

/** The main line a project advances along; `advance` without `--to` takes the next one. */
export const phaseSequence: readonly ProjectPhase[] = ['planning', 'execution', 'documentation', 'archiving'];

/** Phases a project on hold can return to. */
export const resumablePhases = ['planning', 'execution', 'documentation'] as const;
export type ResumablePhase = (typeof resumablePhases)[number];

/**
 * Legal `advance --to` moves. Going back from documentation to execution is allowed (more
 * work turned up); hold, resume, cancel and archive have their own commands and guards.
 */
export const phaseMoves: Record<ProjectPhase, readonly ProjectPhase[]> = {
  planning: ['execution'],
  execution: ['documentation', 'planning'],
  documentation: ['archiving', 'execution'],
  archiving: ['archived'],
  archived: [],
  on_hold: [],
  cancelled: ['archiving'],
};

/** A2A task states plus `blocked` (waiting on dependencies) and `ready` (may be claimed). */
export const taskStates = [
  'blocked',
  'ready',
  'submitted',
  'working',
  'input-required',
  'completed',
  'failed',
  'canceled',
  'rejected',
] as const;
export type TaskState = (typeof taskStates)[number];

/** A2A task states: one run of a task. */
export const runStates = [
  'submitted',
  'working',
  'input-required',
  'completed',
  'failed',
  'canceled',
  'rejected',
] as const;
export type RunState = (typeof runStates)[number];

/**
 * Legal task moves. Finished tasks go back to ready or blocked only through an explicit retry;
 * a completed task never changes again (completing it twice is answered from its result).
 */
export const taskMoves: Record<TaskState, readonly TaskState[]> = {
  blocked: ['ready', 'canceled'],
  ready: ['submitted', 'working', 'canceled'],
  submitted: ['working', 'ready', 'failed', 'canceled'],
  working: ['completed', 'failed', 'canceled', 'rejected', 'input-required', 'submitted'],
  'input-required': ['working', 'completed', 'failed', 'canceled', 'rejected'],
  completed: [],
  failed: ['ready', 'blocked'],
  canceled: ['ready', 'blocked'],
  rejected: ['ready', 'blocked'],
};

export const finishedTaskStates: readonly TaskState[] = ['completed', 'failed', 'canceled', 'rejected'];

export function isFinished(state: TaskState): boolean {
  return finishedTaskStates.includes(state);
}

export const triggerRules = ['all_success', 'all_done', 'one_success', 'none_failed'] as const;
export type TriggerRule = (typeof triggerRules)[number];

/** What a trigger rule says about a task, given the states of the tasks it depends on. */
export type Readiness = 'ready' | 'waiting' | 'impossible';

/**
 * - all_success: every dependency completed (one failure makes it impossible);
 * - all_done: every dependency finished, however it ended;
 * - one_success: at least one completed (impossible once all finished without success);
 * - none_failed: every dependency finished and none failed or was rejected (canceled is fine).
 */
export function evaluateTrigger(rule: TriggerRule, upstream: readonly TaskState[]): Readiness {
  if (upstream.length === 0) return 'ready';
  const finished = upstream.filter(isFinished).length;
  const completed = upstream.filter((s) => s === 'completed').length;
  const failed = upstream.filter((s) => s === 'failed' || s === 'rejected').length;
  const allFinished = finished === upstream.length;
  switch (rule) {
    case 'all_success':
      if (completed === upstream.length) return 'ready';
      return finished > completed ? 'impossible' : 'waiting';
    case 'all_done':
      return allFinished ? 'ready' : 'waiting';
    case 'one_success':
      if (completed > 0) return 'ready';
      return allFinished ? 'impossible' : 'waiting';
    case 'none_failed':
      if (failed > 0) return 'impossible';
      return allFinished ? 'ready' : 'waiting';
  }
}
