/**
 * agents/: the registry (manifests → PostgreSQL, availability, statistics), routing (scoring
 * agents for a task, with reasons), the runtime (executors, the result envelope, the cache) and
 * the built-in agents. It knows nothing of projects: the PM calls routeTask and executeAgent
 * inside its own jobs and records the outcome with AgentRegistry.recordOutcome.
 */
export {
  resultEnvelopeSchema,
  artifactSchema,
  handoffSchema,
  envelopeStatuses,
  completedEnvelope,
  failedEnvelope,
  artifactFromFile,
  mediaTypeOf,
  type ResultEnvelope,
  type EnvelopeStatus,
  type Artifact,
  type Handoff,
  type EnvelopeError,
} from './envelope.js';
export {
  agentManifestSchema,
  skillSchema,
  agentTiers,
  inputKinds,
  type AgentManifest,
  type SkillManifest,
  type AgentTier,
  type InputKind,
  type ExecutorSpec,
  type RequiredCommand,
} from './manifest/schema.js';
export { parseManifest } from './manifest/load.js';
export { validateJson, type JsonSchema } from './manifest/json-schema.js';
export { inputFromPairs } from './manifest/input-pairs.js';
export {
  openAgentRegistry,
  builtinManifestDir,
  statsKey,
  AgentRegistry,
  type RegisteredAgent,
  type OpenAgentRegistryOptions,
} from './registry/registry.js';
export type { Availability, CommandCheck } from './registry/availability.js';
export { recordRunOutcome, type RunOutcome, type SkillStats } from './registry/store.js';
export {
  routeTask,
  describeRoute,
  ROUTING_WEIGHTS,
  type RouteTask,
  type RouteOptions,
  type RouteDecision,
  type RouteCandidate,
} from './routing/route.js';
export { detectInputs, type DetectedInput } from './routing/input-kinds.js';
export { executeAgent, type ExecuteAgentOptions } from './runtime/execute.js';
export { chatWithTools, type ToolMessage, type Attempt as ChatAttempt } from './endpoints/chat-tools.js';
export { apiKeyOf } from './endpoints/openai.js';
export { canonicalJson, type ResultCache, type CacheKey } from './runtime/cache.js';
export { LakeResultCache, RESULT_CACHE_TABLE } from './runtime/lake-cache.js';
export type {
  AgentContext,
  AgentExecutor,
  ProgressEvent,
  Endpoints,
  TaskRaiser,
  RaiseTaskRequest,
  ProjectFacts,
  ProjectReader,
} from './runtime/types.js';
export { exportA2ACards, type A2AAgentCard } from './export/a2a.js';
export { exportClaudeCodeSubagents } from './export/claude-code.js';
export { agentsMigrations } from './migrations.js';
export {
  infraScheduleJobTypes,
  enqueueDueSchedules,
  INFRA_SCHEDULE_TICK_JOB,
  INFRA_SCHEDULE_RUN_JOB,
  type JobTaskRaiser,
} from './builtin/infra/schedules/jobs.js';
export { infraScheduleOverview, type ScheduleOverview } from './builtin/infra/schedules/overview.js';
export { runScheduleNow, type ScheduleRunDeps } from './builtin/infra/schedules/run.js';
export { deleteSchedule as deleteInfraSchedule } from './builtin/infra/schedules/store.js';
export type { ScheduleHealth } from './builtin/infra/schedules/health.js';
