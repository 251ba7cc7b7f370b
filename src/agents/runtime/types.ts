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
  progress(event: ProgressEvent): void;
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
