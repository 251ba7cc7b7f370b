import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BosunError, formatZodIssues, type Logger } from '../../core/index.js';
import * as exec from '../../exec/index.js';
import { builtinAgents } from '../builtin/index.js';
import { failedEnvelope, resultEnvelopeSchema, type ResultEnvelope } from '../envelope.js';
import { validateJson } from '../manifest/json-schema.js';
import type { AgentRegistry, RegisteredAgent } from '../registry/registry.js';
import { artifactProblems, restoreArtifacts } from './artifacts.js';
import { inputHash, type CacheKey, type ResultCache } from './cache.js';
import { commandExecutor } from './command-executor.js';
import { llmExecutor } from './llm-executor.js';
import type { AgentContext, AgentExecutor, ProgressEvent, ProjectReader, TaskRaiser } from './types.js';

export interface ExecuteAgentOptions {
  registry: AgentRegistry;
  agentId: string;
  skillId: string;
  input: Record<string, unknown>;
  /** Where the agent writes its files; created when missing. */
  workDir: string;
  signal?: AbortSignal;
  logger?: Logger;
  /** Run even when a cached result exists (the new result replaces it). */
  noCache?: boolean;
  /** Default: the registry's cache. */
  cache?: ResultCache;
  /** What the run belongs to (the PM passes the project slug); default "default". */
  scope?: string;
  /** Overrides the skill's and the agent's default timeout. */
  timeoutSeconds?: number;
  onProgress?: (event: ProgressEvent) => void;
  /** Lets the agent create PM tasks (the PM passes its own; see TaskRaiser). */
  tasks?: TaskRaiser;
  /** The PM's projects, for skills that write about one (docs.write); see ProjectReader. */
  projects?: ProjectReader;
}

/** After the deadline, how long an agent gets to stop on its own before the run is reported as timed out anyway. */
const ABORT_GRACE_MS = 5_000;

function executorFor(agent: RegisteredAgent, options: ExecuteAgentOptions): AgentExecutor | null {
  const spec = agent.manifest.executor;
  if (spec.kind === 'builtin') return builtinAgents[spec.module] ?? null;
  if (spec.kind === 'command') return commandExecutor(spec, agent.file);
  if (spec.kind === 'llm') {
    // The model's tool calls are child runs: same registry, scope and cache rules, their own work dirs.
    return llmExecutor(spec, agent, options.registry, (agentId, skillId, input, workDir, ctx) =>
      executeAgent({
        registry: options.registry,
        agentId,
        skillId,
        input,
        workDir,
        scope: ctx.scope,
        signal: ctx.signal,
        logger: ctx.logger,
        ...(options.noCache ? { noCache: true } : {}),
        ...(options.cache ? { cache: options.cache } : {}),
        ...(options.projects ? { projects: options.projects } : {}),
      }),
    );
  }
  return null;
}

function withMetrics(envelope: ResultEnvelope, metrics: Record<string, number>): ResultEnvelope {
  return { ...envelope, metrics: { ...envelope.metrics, ...metrics } };
}

/** Validates what an executor returned; anything that is not a valid envelope becomes INVALID_ENVELOPE. */
async function checkedEnvelope(
  raw: unknown,
  agent: RegisteredAgent,
  skillId: string,
  workDir: string,
): Promise<ResultEnvelope> {
  const parsed = resultEnvelopeSchema.safeParse(raw);
  const invalid = (why: string) =>
    failedEnvelope({
      code: 'INVALID_ENVELOPE',
      message: `${agent.manifest.id} returned an invalid envelope: ${why}`,
      retryable: false,
    });
  if (!parsed.success) return invalid(formatZodIssues(parsed.error));
  const envelope = parsed.data;
  const problems = await artifactProblems(envelope.artifacts, workDir);
  if (problems.length) return invalid(problems.join('; '));
  if (envelope.status === 'completed') {
    const skill = agent.manifest.skills.find((s) => s.id === skillId)!;
    const outputs = validateJson(skill.outputSchema, envelope.outputs, 'outputs');
    if (outputs.errors.length) return invalid(outputs.errors.join('; '));
  }
  return envelope;
}

/** Resolves when the signal fires (plus a grace), so a run that ignores its signal still ends. */
function afterAbort(signal: AbortSignal, graceMs: number): Promise<'aborted'> {
  // The timer is unref'd: a run that ends in time leaves nothing keeping the process alive.
  return new Promise((resolve) => {
    const fire = () => setTimeout(() => resolve('aborted'), graceMs).unref();
    if (signal.aborted) fire();
    else signal.addEventListener('abort', fire, { once: true });
  });
}

/**
 * Runs one skill of one agent: validates the input against the skill's schema, serves a cached
 * result when there is one, else runs the executor in `workDir` with a deadline, and validates
 * what comes back. Never throws because an agent failed: that is a `failed` envelope whose
 * error says whether a retry can help. Throws only for an unknown agent or skill.
 *
 * @example
 * ```ts
 * import { executeAgent, openAgentRegistry } from '../index.js';
 *
 * const registry = await openAgentRegistry({ pool, paths });
 * const envelope = await executeAgent({
 *   registry,
 *   agentId: 'python',
 *   skillId: 'python.run',
 *   input: { code: 'print(6 * 7)' },
 *   workDir: '/tmp/bosun-run',
 *   timeoutSeconds: 60,
 *   onProgress: (event) => console.log(event),
 * });
 * if (envelope.status === 'failed') console.error(envelope.error);
 * else console.log(envelope.summary, envelope.outputs);
 * ```
 */
export async function executeAgent(options: ExecuteAgentOptions): Promise<ResultEnvelope> {
  const started = performance.now();
  const { registry, agentId, skillId } = options;
  const { agent, skill, availability } = registry.skill(agentId, skillId);
  const logger = (options.logger ?? registry.logger).child({ agent: agentId, skill: skillId });
  const elapsed = () => Math.round(performance.now() - started);
  const done = (envelope: ResultEnvelope, extra: Record<string, number> = {}) =>
    withMetrics(envelope, { ...extra, durationMs: elapsed() });

  const validated = validateJson(skill.inputSchema, options.input, 'input');
  if (validated.errors.length) {
    return done(
      failedEnvelope(
        {
          code: 'INVALID_INPUT',
          message: `invalid input for ${skillId}: ${validated.errors.join('; ')}`,
          retryable: false,
        },
        { status: 'rejected' },
      ),
    );
  }
  const input = validated.value as Record<string, unknown>;
  const executor = executorFor(agent, options);
  if (!executor) {
    return done(
      failedEnvelope(
        {
          code: 'NOT_AUTOMATIC',
          message: `agent ${agentId} is an assistant: claim the task through the PM instead of running it`,
          retryable: false,
        },
        { status: 'rejected' },
      ),
    );
  }
  if (!availability.available) {
    return done(
      failedEnvelope({
        code: 'AGENT_UNAVAILABLE',
        message: `agent ${agentId} cannot run here: ${availability.reasons.join('; ')}`,
        retryable: false,
      }),
    );
  }

  const workDir = path.resolve(options.workDir);
  await fs.mkdir(workDir, { recursive: true });
  const cache = options.cache ?? registry.cache;
  const base = { skillId, input, workDir, scope: options.scope ?? 'default', endpoints: registry.endpoints };
  let key: CacheKey | undefined;
  if (skill.cacheable) {
    const fingerprint = await Promise.resolve(executor.cacheFingerprint?.(base)).then(
      (value) => ({ value }),
      (err: unknown) => {
        logger.warn({ err }, 'no cache key for this run: its fingerprint failed');
        return null;
      },
    );
    if (fingerprint)
      key = { agentId, agentVersion: agent.manifest.version, skillId, inputHash: inputHash(input, fingerprint.value) };
  }
  if (key && !options.noCache) {
    const hit = await cache.get(key).catch((err: unknown) => {
      logger.warn({ err }, 'the result cache cannot be read; running the agent');
      return null;
    });
    const restored = hit && (await restoreArtifacts(hit, workDir));
    if (restored) {
      logger.info('served from the result cache');
      return done(restored, { cacheHit: 1 });
    }
  }

  const timeoutMs = (options.timeoutSeconds ?? skill.timeoutSeconds ?? agent.manifest.defaultTimeoutSeconds) * 1000;
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(options.signal?.reason ?? new BosunError('CANCELED', 'cancelled'));
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  if (options.signal?.aborted) onCallerAbort();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new BosunError('EXEC_TIMEOUT', `timed out after ${timeoutMs} ms`));
  }, timeoutMs);

  const allowUnconfined = registry.config.sandbox.allowUnconfined;
  const ctx: AgentContext = {
    ...base,
    agentId,
    signal: controller.signal,
    timeoutMs,
    logger,
    exec: { ...exec, runSandboxed: (argv, opts) => exec.runSandboxed(argv, { allowUnconfined, ...opts }) },
    paths: registry.paths,
    config: registry.config,
    pool: registry.pool,
    lake: registry.lake,
    ...(options.tasks ? { tasks: options.tasks } : {}),
    ...(options.projects ? { projects: options.projects } : {}),
    progress: (event) => {
      logger.debug({ progress: event }, event.message);
      options.onProgress?.(event);
    },
  };
  // An outcome is "late" when it came after the deadline or a cancellation: it then reflects
  // the abort, and the run is reported as timed out or cancelled, whatever the agent said.
  const run = executor.run(ctx).then(
    (raw) => ({ raw, late: controller.signal.aborted }),
    (err: unknown) => ({ err, late: controller.signal.aborted }),
  );
  const outcome = await Promise.race([run, afterAbort(controller.signal, ABORT_GRACE_MS)]);
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onCallerAbort);
  let envelope: ResultEnvelope;
  if (outcome === 'aborted' || outcome.late) {
    envelope = timedOut
      ? failedEnvelope({
          code: 'TIMEOUT',
          message: `${agentId} ${skillId} timed out after ${timeoutMs / 1000} s`,
          retryable: true,
        })
      : {
          ...failedEnvelope({ code: 'CANCELED', message: `${agentId} ${skillId} was cancelled`, retryable: true }),
          status: 'canceled',
        };
  } else if ('err' in outcome) {
    const e =
      outcome.err instanceof BosunError
        ? outcome.err
        : new BosunError('AGENT_ERROR', String((outcome.err as Error)?.message ?? outcome.err));
    logger.warn({ err: outcome.err }, 'agent threw');
    // An agent says whether a retry can help through details.retryable; otherwise only bad input is final.
    const retryable = typeof e.details?.retryable === 'boolean' ? e.details.retryable : e.code !== 'INVALID_INPUT';
    envelope = failedEnvelope({ code: e.code, message: e.message, retryable });
  } else {
    envelope = await checkedEnvelope(outcome.raw, agent, skillId, workDir);
  }
  // The cache saves work; failing to store a result must not fail the run that produced it.
  if (envelope.status === 'completed' && key)
    await cache.put(key, envelope).catch((err: unknown) => logger.warn({ err }, 'the result could not be cached'));
  return done(envelope);
}
