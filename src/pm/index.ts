/**
 * pm/: projects and their lifecycle, tasks, runs and dependencies, templates, handoffs and
 * events, in PostgreSQL (schema bosun). Everything else in Bosun uses this file only.
 */
export { pmMigrations } from './migrations.js';
export type { PmContext } from './context.js';
export {
  projectPhases,
  phaseSequence,
  taskStates,
  runStates,
  triggerRules,
  finishedTaskStates,
  evaluateTrigger,
  type ProjectPhase,
  type TaskState,
  type RunState,
  type TriggerRule,
  type Readiness,
} from './states.js';
export { knownSkills, isKnownSkill, assertKnownSkill, type SkillId } from './skills.js';
export { createProject, newProjectSchema, type NewProjectInput } from './create-project.js';
export { getProject, listProjects, type Project, type ProjectSummary, type ArchiveLocation } from './projects.js';
export { advanceProject, holdProject, resumeProject, cancelProject, nextPhase, nextPhaseGuard } from './lifecycle.js';
export { archiveProject, reopenProject, type ArchiveDeps } from './archive.js';
export { projectOverview, type ProjectOverview } from './overview.js';
export { renderProjectDocument } from './document.js';
export { projectReader, projectFacts } from './project-facts.js';
export { addTasks, planTasks, taskDraftSchema, planSchema, type TaskDraft } from './plan.js';
export {
  planProjectWithModel,
  chatEndpointOf,
  type ChatEndpoint,
  type PlannableSkill,
  type ModelPlan,
  type PlanAttempt,
} from './model-plan.js';
export {
  getTask,
  listTasks,
  parseTaskRef,
  upstreamOf,
  downstreamOf,
  type Task,
  type TaskLine,
  type TaskSpec,
  type AcceptanceCheck,
} from './tasks.js';
export { claimNextTask, claimTask, type Claimed } from './claim.js';
export { failTask, cancelTask, retryTask, type FailOptions } from './task-actions.js';
export { completeTask, applyEnvelope, parseEnvelope, envelopeHash, type ApplyOptions } from './results.js';
export { listRuns, type Run } from './runs.js';
export { listArtifacts, type ArtifactRow } from './artifacts.js';
export { listNotes, noteKinds, type Note, type NoteKind } from './notes.js';
export { addNote, reportProgress, noteInputSchema, progressSchema, type NoteInput } from './progress.js';
export { taskDetails, type TaskDetails } from './task-details.js';
export { taskJsonCore } from './task-json.js';
export { listEvents, PM_EVENT_CHANNEL, type PmEvent, type PmEventNotice, type EventKind } from './events.js';
export { projectGraph, type ProjectGraph } from './graph.js';
export { pmTransaction, type PmTx } from './transaction.js';
export {
  loadTemplateSet,
  findTemplate,
  validateTemplateFile,
  shippedTemplatesDir,
  type TemplateSet,
  type LoadedTemplate,
  type LoadedFragment,
  type TemplateProblem,
} from './templates/template-set.js';
export { instantiate, resolveParams, type RawParam } from './templates/instantiate.js';
export { recordTemplateVersion, storedTemplateYaml } from './templates/lake.js';
export { templateSchema, fragmentSchema, type Template, type Fragment } from './templates/schema.js';
export {
  TASK_RUN_JOB,
  enqueueTasks,
  createDispatcher,
  type DispatcherDeps,
  type TaskRunJobData,
} from './execution/dispatch.js';
export { routeStoredTask } from './execution/route.js';
export { runTask, type RunTaskDeps, type RunTaskOptions, type RunTaskOutcome } from './execution/run-task.js';
export { taskRunJobType, pmJobTypes } from './execution/job.js';
export { taskRaiser } from './raise.js';
export { jobTaskRaiser } from './execution/runtime.js';
