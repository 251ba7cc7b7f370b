import type { BosunConfig, BosunPaths, Logger } from '../../core/index.js';
import type * as exec from '../../exec/index.js';
import type { Pool } from '../../db/index.js';
import type { Lake } from '../../lake/index.js';

/** The process-spawning API agents get: exec/'s functions, never their own child_process. */
export type ExecModule = Pick<
  typeof exec,
  | 'runCommand'
  | 'runChecked'
  | 'runSandboxed'
  | 'runScrapySpider'
  | 'which'
  | 'probeTool'
  | 'parseJsonOutput'
  | 'parseCsv'
>;

export type Endpoints = BosunConfig['endpoints'];

export interface ProgressEvent {
  message: string;
  /** 0..1 when the agent can tell. */
  fraction?: number;
}

/** A task an agent asks for in a project (infra.monitor when a schedule breaks, a scheduled task template). */
export interface RaiseTaskRequest {
  /** The project's slug. */
  project: string;
  title: string;
  description?: string;
  skill?: string;
  inputs?: Record<string, unknown>;
  tags?: string[];
  /** A request whose key the project already has creates nothing new (the existing task is returned). */
  idempotencyKey?: string;
}

/**
 * Creates PM tasks for an agent. agents/ knows nothing of projects, so the PM (or a composition
 * root: the CLI, src/jobs.ts) hands its own implementation in; absent, agents cannot raise tasks
 * and say so.
 */
export interface TaskRaiser {
  raise(request: RaiseTaskRequest): Promise<{ ref: string; created: boolean }>;
}

/**
 * A project as the PM records it, for agents that write about one (docs.write). The agents layer
 * sits below pm/ and cannot import it, so whoever runs the agent (the PM's task runner, the CLI)
 * passes a reader in; outside them there is none and such a skill says so.
 */
export interface ProjectFacts {
  slug: string;
  name: string;
  client: string | null;
  brief: string | null;
  status: string;
  tasks: {
    ref: string;
    title: string;
    description: string | null;
    status: string;
    skill: string | null;
    agentId: string | null;
    inputs: Record<string, unknown>;
    summary: string | null;
    outputs: Record<string, unknown> | null;
  }[];
  artifacts: { taskRef: string; name: string; mediaType: string; uri: string | null; bytes: number }[];
  notes: { taskRef: string | null; kind: string; body: string; author: string; createdAt: string }[];
  /** The PM's own project document (goal, what was done, decisions, artifacts, time, timeline). */
  document: string;
}

export interface ProjectReader {
  /** Throws NOT_FOUND for an unknown slug. */
  read(slug: string): Promise<ProjectFacts>;
}

/** What a built-in agent receives for one run. */
export interface AgentContext {
  agentId: string;
  skillId: string;
  /** Validated against the skill's input schema, defaults filled in. */
  input: Record<string, unknown>;
  /** Where the agent writes its files (its artifacts); it exists. */
  workDir: string;
  /** What the run belongs to (the PM passes the project slug): per-scope state such as a virtual environment lives under it. */
  scope: string;
  /** Aborted on cancellation and when the timeout passes. */
  signal: AbortSignal;
  /** The run's time budget, for the agent's own child processes. */
  timeoutMs: number;
  logger: Logger;
  exec: ExecModule;
  endpoints: Endpoints;
  paths: BosunPaths;
  /** Bosun's configuration (named connections under `connections`, the lake's settings). */
  config: BosunConfig;
  /** Bosun's own PostgreSQL pool (for agents that read or record relational state). */
  pool: Pool;
  /** The lake, shared by the runs of this process (opened on first call). */
  lake: () => Promise<Lake>;
  /** The PM's projects, when the caller passed a reader (see ProjectReader). */
  projects?: ProjectReader;
  progress(event: ProgressEvent): void;
  /** Creates PM tasks, when the caller runs inside the PM (or gave one); else undefined. */
  tasks?: TaskRaiser;
}

/**
 * How an agent's skill is run: code in src/agents/builtin/<name>/ (`executor: { kind: builtin }`)
 * or a command-line program (`kind: command`).
 */
export interface AgentExecutor {
  /** Returns an envelope (validated by the runtime); may throw, which becomes a failed envelope. */
  run(ctx: AgentContext): Promise<unknown>;
  /**
   * What besides the input decides the result (a script file's content, the endpoint that will
   * summarise): folded into the cache key so a changed one is not served from the cache.
   */
  cacheFingerprint?(ctx: Pick<AgentContext, 'skillId' | 'input' | 'workDir' | 'scope' | 'endpoints'>): Promise<unknown>;
}
