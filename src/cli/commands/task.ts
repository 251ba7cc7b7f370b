import type { Command } from 'commander';
import { z } from 'zod';
import { BosunError, ExitCode, parseWith } from '../../core/index.js';
import {
  cancelTask,
  claimNextTask,
  claimTask,
  completeTask,
  failTask,
  enqueueTasks,
  getProject,
  getTask,
  listTasks,
  planTasks,
  reportProgress,
  retryTask,
  routeStoredTask,
  runTask,
  taskDetails,
  taskJsonCore,
  taskStates,
  triggerRules,
  type Task,
  type TaskDetails,
} from '../../pm/index.js';
import { emit, keyValues, parsePositiveInt, table } from '../output.js';
import { agentRegistry, cliActor, collect, parseKeyValues, pmContext, readTextFile } from './project.js';
import type { Wrap } from './wrap.js';
import { commandSummaries } from './summaries.js';

function parseJsonFile(file: string, what: string): unknown {
  const text = readTextFile(file, what);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BosunError('INVALID_INPUT', `${what} ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

const inputObjectSchema = z.record(z.unknown());

function taskRow(t: Task) {
  return {
    ref: t.ref,
    key: t.stepKey,
    title: t.title,
    skill: t.skill,
    status: t.status,
    priority: t.priority,
    agent: t.agentId,
    claimedBy: t.claimedBy,
  };
}

/** The JSON form of a task: the shared core, then what a script needs besides (no internal bookkeeping). */
function taskJson(t: Task) {
  return {
    ...taskJsonCore(t),
    tags: t.tags,
    triggerRule: t.triggerRule,
    inputs: t.inputs,
    spec: t.spec,
    agentId: t.agentId,
    route: t.route,
    result: t.result,
    createdAt: t.createdAt,
    readyAt: t.readyAt,
    startedAt: t.startedAt,
    finishedAt: t.finishedAt,
  };
}

function renderRoute(route: Record<string, unknown> | null): string[] {
  if (!route) return ['route: not routed'];
  const r = route as {
    agentId: string | null;
    skillId: string | null;
    reasons: string[];
    runnersUp: { agentId: string; skillId: string; score: number; reasons: string[] }[];
    waitingReason?: string;
    automatic: boolean;
  };
  return [
    `route: ${r.agentId ? `${r.agentId} (${r.skillId})${r.automatic ? ', runs automatically' : ', waits to be claimed'}` : `no agent — ${r.waitingReason ?? 'waits for a person or assistant'}`}`,
    ...r.reasons.map((x) => `  - ${x}`),
    ...(r.runnersUp.length
      ? [
          '  runners-up:',
          ...r.runnersUp.map((u) => `    ${u.agentId} (${u.skillId}, ${u.score}): ${u.reasons.join('; ')}`),
        ]
      : []),
  ];
}

/** `data: raw.orders@4, orders.csv → mart.revenue@5`, from the lineage a data step recorded with its artifacts. */
function dataLineage(d: TaskDetails): string[] {
  const data = d.artifacts.map((a) => a.lineage.data).find((l) => l) as
    | {
        inputs: { ref: string; table?: string; snapshotId?: number }[];
        output: { table?: string; snapshotId?: number; path?: string };
      }
    | undefined;
  if (!data) return [];
  const at = (x: { table?: string; snapshotId?: number }) => (x.table ? `${x.table}@${x.snapshotId}` : null);
  const inputs = data.inputs.map((i) => at(i) ?? i.ref).join(', ');
  return [`data: ${inputs || '(no inputs)'} → ${at(data.output) ?? data.output.path}`];
}

function renderDetails(d: TaskDetails): string {
  const t = d.task;
  return [
    keyValues([
      ['task', `${t.ref} — ${t.title}`],
      ['id', t.id],
      ['status', t.status + (t.statusReason ? ` (${t.statusReason})` : '')],
      ['skill', t.skill],
      ['trigger', t.triggerRule],
      ['attempts', `${t.attempts} of ${t.attemptsAllowed}`],
      ['claimed by', t.claimedBy],
      ['depends on', d.upstream.map((u) => `${u.ref} (${u.status})`).join(', ') || 'nothing'],
      ['needed by', d.downstream.map((u) => `${u.ref} (${u.status})`).join(', ') || 'nothing'],
    ]),
    ...(t.description ? ['', t.description] : []),
    '',
    `inputs: ${JSON.stringify(d.inputs)}`,
    ...(d.missingInputs.length ? [`not available yet: ${d.missingInputs.join(', ')}`] : []),
    ...renderRoute(t.route),
    '',
    'runs:',
    table(
      d.runs.map((r) => ({
        attempt: r.attempt,
        state: r.state,
        by: r.claimedBy,
        agent: r.agentId,
        started: r.startedAt,
        ms: r.wallMs,
        error: r.error?.message ?? '',
      })),
    ),
    ...(d.children.length ? ['', 'handoff tasks:', table(d.children)] : []),
    ...(d.artifacts.length
      ? [
          '',
          'artifacts:',
          table(
            d.artifacts.map((a) => ({ name: a.name, type: a.mediaType, bytes: a.bytes, uri: a.uri ?? '(inline)' })),
          ),
          ...dataLineage(d),
        ]
      : []),
    '',
    'events:',
    table(d.events.map((e) => ({ at: e.at, kind: e.kind, actor: e.actor, data: e.data }))),
  ].join('\n');
}

interface AddOptions {
  skill?: string;
  after: string[];
  input: string[];
  inputFile?: string;
  description?: string;
  priority?: string;
  key?: string;
  trigger?: string;
  estimate?: string;
  manual?: boolean;
}

export function registerTaskCommands(program: Command, wrap: Wrap): void {
  const task = program.command('task').description(commandSummaries.task);

  task
    .command('add <project> <title>')
    .description('add a task to a project')
    .option('--skill <skill>', 'the skill it needs (dotted id, e.g. python.run)')
    .option('--after <task>', 'a task it waits for (repeat): #3, a step key, or <project>#3', collect, [])
    .option('--input <key=value>', 'an input (repeat); values are strings — use --input-file for JSON', collect, [])
    .option('--input-file <file>', 'a JSON object of inputs (--input values override its keys)')
    .option('--description <text>', 'what to do, in more words')
    .option('--priority <n>', 'higher is claimed first (default 0)')
    .option('--key <key>', 'a step key other tasks can depend on')
    .option('--trigger <rule>', `when it becomes ready: ${triggerRules.join(', ')}`)
    .option('--estimate <minutes>', 'estimated minutes')
    .option('--manual', 'a judgement for a person or an assistant: routed, never run automatically')
    .action(
      wrap(async (ctx, project: string, title: string, opts: AddOptions) => {
        const fromFile = opts.inputFile
          ? parseWith(
              inputObjectSchema,
              parseJsonFile(opts.inputFile, 'the input file'),
              `--input-file ${opts.inputFile}`,
            )
          : {};
        const draft = {
          title,
          inputs: { ...fromFile, ...parseKeyValues(opts.input, '--input') },
          dependsOn: opts.after,
          ...(opts.skill ? { skill: opts.skill } : {}),
          ...(opts.description ? { description: opts.description } : {}),
          ...(opts.priority !== undefined ? { priority: Number(opts.priority) } : {}),
          ...(opts.key ? { key: opts.key } : {}),
          ...(opts.trigger ? { trigger: opts.trigger as (typeof triggerRules)[number] } : {}),
          ...(opts.estimate ? { estimateMinutes: parsePositiveInt(opts.estimate, '--estimate') } : {}),
          ...(opts.manual ? { manual: true } : {}),
        };
        const [added] = await planTasks(await pmContext(ctx), project, [draft]);
        emit(ctx, { task: taskJson(added!) }, () => `added ${added!.ref} (${added!.status}): ${added!.title}`);
      }),
    );

  task
    .command('list')
    .description('tasks, by project and number')
    .option('--project <slug>', 'only this project')
    .option('--status <state>', `only this state (${taskStates.join(', ')})`)
    .option('--limit <n>', 'at most this many', '200')
    .action(
      wrap(async (ctx, opts: { project?: string; status?: string; limit: string }) => {
        const pool = (await ctx.db()).pool;
        const status = opts.status ? parseWith(z.enum(taskStates), opts.status, '--status') : undefined;
        const projectId = opts.project ? (await getProject(pool, opts.project)).id : undefined;
        const tasks = await listTasks(pool, {
          projectId,
          status,
          limit: parsePositiveInt(opts.limit, '--limit'),
          offset: 0,
        });
        emit(ctx, { tasks: tasks.map(taskJson) }, () => table(tasks.map(taskRow)));
      }),
    );

  task
    .command('show <task>')
    .description('a task with its inputs, routing decision, runs, artifacts and events')
    .action(
      wrap(async (ctx, ref: string) => {
        const d = await taskDetails((await ctx.db()).pool, ref);
        emit(ctx, { ...d, task: taskJson(d.task) }, () => renderDetails(d));
      }),
    );

  task
    .command('claim [task]')
    .description('claim a task (the most urgent ready one unless named) and start a run')
    .option('--project <slug>', 'only from this project')
    .option('--as <name>', 'who claims it (default cli:<user>)')
    .action(
      wrap(async (ctx, ref: string | undefined, opts: { project?: string; as?: string }) => {
        const pm = await pmContext(ctx);
        const claimant = opts.as ?? cliActor();
        const claimed = ref
          ? await claimTask(pm, ref, claimant)
          : await claimNextTask(pm, { claimant, ...(opts.project ? { projectSlug: opts.project } : {}) });
        emit(ctx, { claimed: claimed ? { task: taskJson(claimed.task), run: claimed.run } : null }, () =>
          claimed
            ? `claimed ${claimed.task.ref}: ${claimed.task.title} (attempt ${claimed.run.attempt})`
            : 'no ready task',
        );
      }),
    );

  task
    .command('complete <task>')
    .description(
      'finish a claimed task with a result envelope (JSON: status, summary, outputs, artifacts, metrics, handoffs)',
    )
    .requiredOption('--result <file>', 'the result envelope as a JSON file')
    .action(
      wrap(async (ctx, ref: string, opts: { result: string }) => {
        const envelope = parseJsonFile(opts.result, 'the result');
        const { task: done, alreadyCompleted } = await completeTask(await pmContext(ctx), ref, envelope, {
          artifactsDir: ctx.paths.artifacts,
        });
        emit(
          ctx,
          { task: taskJson(done), alreadyCompleted },
          () => `${done.ref} is ${done.status}${alreadyCompleted ? ' (already, with this same result)' : ''}`,
        );
      }),
    );

  task
    .command('fail <task>')
    .description('record that a task failed')
    .requiredOption('--reason <text>', 'what went wrong')
    .option('--retryable', 'a retry could succeed')
    .action(
      wrap(async (ctx, ref: string, opts: { reason: string; retryable?: boolean }) => {
        const failed = await failTask(await pmContext(ctx), ref, {
          reason: opts.reason,
          retryable: opts.retryable ?? false,
        });
        emit(ctx, { task: taskJson(failed) }, () => `${failed.ref} failed: ${opts.reason}`);
      }),
    );

  task
    .command('cancel <task>')
    .description('cancel a task (and its handoff tasks)')
    .option('--reason <text>', 'why', 'canceled by hand')
    .action(
      wrap(async (ctx, ref: string, opts: { reason: string }) => {
        const canceled = await cancelTask(await pmContext(ctx), ref, opts.reason);
        emit(ctx, { task: taskJson(canceled) }, () => `${canceled.ref} canceled`);
      }),
    );

  task
    .command('retry <task>')
    .description('send a failed, canceled or rejected task round again')
    .action(
      wrap(async (ctx, ref: string) => {
        const retried = await retryTask(await pmContext(ctx), ref);
        emit(ctx, { task: taskJson(retried) }, () => `${retried.ref} is ${retried.status} again`);
      }),
    );

  task
    .command('route <task>')
    .description('route a task again (agent, reasons, runners-up); a ready task for an automatic agent is queued')
    .action(
      wrap(async (ctx, ref: string) => {
        const pm = await pmContext(ctx);
        const registry = await agentRegistry(ctx);
        const { task: routed, decision } = await routeStoredTask(pm, registry, ref);
        const queued =
          routed.status === 'ready' &&
          decision.automatic &&
          (await enqueueTasks(pm, await ctx.queue(), registry, ctx.paths.home, [routed.id])).length > 0;
        emit(ctx, { task: routed.ref, decision, queued }, () =>
          [...renderRoute({ ...decision }), ...(queued ? ['queued for a worker (bosun worker)'] : [])].join('\n'),
        );
      }),
    );

  task
    .command('run <task>')
    .description('run a task now, in the foreground, by the agent it is routed to (progress on stderr)')
    .option('--no-cache', 'run even when the agent has a cached result for this input')
    .action(
      wrap(async (ctx, ref: string, opts: { cache: boolean }) => {
        const pm = await pmContext(ctx);
        const registry = await agentRegistry(ctx);
        const found = await getTask(pm.pool, ref);
        if (found.route === null) await routeStoredTask(pm, registry, found.id);
        const controller = new AbortController();
        const stop = () => controller.abort();
        process.once('SIGINT', stop);
        try {
          const outcome = await runTask({ pm, registry, paths: ctx.paths }, found.id, {
            claimant: cliActor(),
            noCache: !opts.cache,
            signal: controller.signal,
            logger: ctx.logger,
            onProgress: (e) =>
              process.stderr.write(
                `${e.fraction !== undefined ? `[${Math.round(e.fraction * 100)}%] ` : ''}${e.message}\n`,
              ),
          });
          const t = outcome.task;
          emit(
            ctx,
            outcome.kind === 'ran'
              ? { task: taskJson(t), envelope: outcome.envelope }
              : { task: taskJson(t), skipped: outcome.reason },
            () =>
              outcome.kind === 'ran'
                ? `${t.ref} is ${t.status}: ${outcome.envelope.summary}`
                : `${t.ref} was not run: ${outcome.reason}`,
          );
          // A script that timed out or ran out of memory is not a success for a shell or a CI step.
          if (outcome.kind === 'ran' && outcome.envelope.status !== 'completed') {
            process.exitCode =
              outcome.envelope.status === 'rejected'
                ? ExitCode.usage
                : outcome.envelope.error?.code === 'TIMEOUT'
                  ? ExitCode.timeout
                  : ExitCode.failure;
          }
        } finally {
          process.off('SIGINT', stop);
        }
      }),
    );

  task
    .command('progress <task> <message>')
    .description('report progress on a task being worked on (renews its run’s heartbeat)')
    .option('--percent <n>', '0-100')
    .action(
      wrap(async (ctx, ref: string, message: string, opts: { percent?: string }) => {
        const note = await reportProgress(await pmContext(ctx), ref, {
          message,
          ...(opts.percent !== undefined ? { percent: Number(opts.percent) } : {}),
        });
        emit(ctx, { note }, () => `progress on ${note.taskRef}: ${note.body}`);
      }),
    );
}
