import fs from 'node:fs';
import os from 'node:os';
import type { Command } from 'commander';
import { z } from 'zod';
import { BosunError, parseWith } from '../../core/index.js';
import { openAgentRegistry, type AgentRegistry } from '../../agents/index.js';
import {
  addNote,
  advanceProject,
  archiveProject,
  chatEndpointOf,
  cancelProject,
  createDispatcher,
  createProject,
  getProject,
  holdProject,
  listProjects,
  loadTemplateSet,
  noteKinds,
  planProjectWithModel,
  projectOverview,
  projectPhases,
  renderProjectDocument,
  reopenProject,
  resumeProject,
  type NoteInput,
  type PmContext,
  type PlannableSkill,
  type ProjectOverview,
  type Task,
} from '../../pm/index.js';
import type { CliContext } from '../context.js';
import { emit, keyValues, parsePositiveInt, table } from '../output.js';
import type { Wrap } from './wrap.js';
import { commandSummaries } from './summaries.js';

/** Who acts when a person uses the CLI; written into every event. */
export function cliActor(): string {
  return `cli:${os.userInfo().username}`;
}

const registries = new WeakMap<CliContext, Promise<AgentRegistry>>();

/** The agent registry, opened once per command and only when a task needs routing. */
export function agentRegistry(ctx: CliContext): Promise<AgentRegistry> {
  let registry = registries.get(ctx);
  if (!registry) {
    registry = ctx.db().then((db) => openAgentRegistry({ pool: db.pool, paths: ctx.paths, logger: ctx.logger }));
    registries.set(ctx, registry);
  }
  return registry;
}

/** Every skill the registry's agents offer, as the planner shows them to the model. */
export async function plannableSkills(ctx: CliContext): Promise<PlannableSkill[]> {
  return (await agentRegistry(ctx))
    .list()
    .flatMap((a) =>
      a.manifest.skills.map((s) => ({ id: s.id, description: s.description, inputSchema: s.inputSchema })),
    );
}

/** The project manager for a command: tasks it creates are routed, and ready ones for automatic agents queued. */
export async function pmContext(ctx: CliContext, actor: string = cliActor()): Promise<PmContext> {
  const db = await ctx.db();
  const dispatch = createDispatcher({
    pool: db.pool,
    logger: ctx.logger,
    actor,
    home: ctx.paths.home,
    registry: () => agentRegistry(ctx),
    queue: () => ctx.queue(),
  });
  return { pool: db.pool, logger: ctx.logger, actor, afterCommit: dispatch };
}

/** A created task as a line of the tables `project new` and `project plan` print. */
const taskRow = (t: Task) => ({ ref: t.ref, key: t.stepKey, title: t.title, skill: t.skill, status: t.status });

export const collect = (value: string, previous: string[]) => [...previous, value];

/** `k=v` pairs from repeated options; a pair without `=` or a repeated key is an error. */
export function parseKeyValues(pairs: readonly string[], option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new BosunError('INVALID_INPUT', `${option} expects key=value, got '${pair}'`);
    const key = pair.slice(0, i).trim();
    if (key in out) throw new BosunError('INVALID_INPUT', `${option} ${key} is given twice`);
    out[key] = pair.slice(i + 1);
  }
  return out;
}

export function readTextFile(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new BosunError('INVALID_INPUT', `cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}

const phaseSchema = z.enum(projectPhases);
const number = (v: string | undefined, what: string) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n))
    throw new BosunError('INVALID_INPUT', `${what} must be a number, got '${v}'`);
  return n;
};

function renderOverview(o: ProjectOverview): string {
  const p = o.project;
  const hours = (o.timeSpentMs / 3_600_000).toFixed(1);
  const lines = [
    keyValues([
      ['project', `${p.slug} — ${p.name}`],
      ['client', p.client],
      ['phase', p.status + (p.heldFrom ? ` (from ${p.heldFrom})` : '')],
      ['template', p.templateId ? `${p.templateId} v${p.templateVersion}` : null],
      [
        'progress',
        `${o.progress.finished}/${o.progress.total} finished (${o.progress.percent} %), ${o.progress.completed} completed`,
      ],
      [
        'tasks',
        Object.entries(o.tasksByState)
          .map(([s, n]) => `${s} ${n}`)
          .join(', ') || 'none',
      ],
      [
        'time spent',
        `${hours} h${o.budget.hours !== null ? ` of ${o.budget.hours} h (${o.budget.usedPercent} %)` : ''}`,
      ],
    ]),
  ];
  if (o.ready.length) lines.push('', 'ready:', table(o.ready, ['ref', 'title', 'skill', 'priority', 'agentId']));
  if (o.active.length) lines.push('', 'in progress:', table(o.active, ['ref', 'title', 'status', 'claimedBy']));
  if (o.problems.length) lines.push('', 'failed:', table(o.problems, ['ref', 'title', 'status', 'statusReason']));
  lines.push('', 'next:', ...o.nextActions.map((a) => `  - ${a}`));
  return lines.join('\n');
}

interface NewOptions {
  template?: string;
  name?: string;
  client?: string;
  param: string[];
  brief?: string;
  budgetHours?: string;
  rate?: string;
  repo?: string;
  due?: string;
}

export function registerProjectCommands(program: Command, wrap: Wrap): void {
  const project = program.command('project').description(commandSummaries.project);

  project
    .command('new <slug>')
    .description('create a project, with its tasks when a template is given')
    .option('--template <id>', 'instantiate this template (see `bosun templates list`)')
    .option('--name <name>', 'display name (default: the template title, else the slug)')
    .option('--client <client>', 'who the project is for')
    .option('--param <key=value>', 'a template param (repeat)', collect, [])
    .option('--brief <file>', 'a file with the brief (markdown): the goal, in the client’s words')
    .option('--budget-hours <hours>', 'hours budgeted')
    .option('--rate <rate>', 'hourly rate')
    .option('--repo <path>', 'the project’s repository')
    .option('--due <date>', 'due date, YYYY-MM-DD')
    .action(
      wrap(async (ctx, slug: string, opts: NewOptions) => {
        const input = {
          slug,
          ...(opts.template ? { template: opts.template } : {}),
          ...(opts.name ? { name: opts.name } : {}),
          ...(opts.client ? { client: opts.client } : {}),
          params: parseKeyValues(opts.param, '--param'),
          ...(opts.brief ? { brief: readTextFile(opts.brief, 'the brief') } : {}),
          ...(opts.budgetHours !== undefined ? { budgetHours: number(opts.budgetHours, '--budget-hours') } : {}),
          ...(opts.rate !== undefined ? { hourlyRate: number(opts.rate, '--rate') } : {}),
          ...(opts.repo ? { repoPath: opts.repo } : {}),
          ...(opts.due ? { dueOn: opts.due } : {}),
        };
        const pm = await pmContext(ctx);
        // The pinned template version is kept in the lake when there is one to keep it in.
        const lake = opts.template
          ? await ctx.lake().catch((err: unknown) => {
              ctx.logger.warn(
                { err },
                'the lake is not available: the template version is pinned but its YAML is not stored',
              );
              return undefined;
            })
          : undefined;
        const { project: created, tasks } = await createProject(
          pm,
          loadTemplateSet(ctx.paths),
          input,
          lake ? { lake } : {},
        );
        const { document: _document, ...shown } = created;
        emit(
          ctx,
          {
            project: shown,
            tasks: tasks.map((t) => ({ ...taskRow(t), id: t.id })),
          },
          () =>
            [
              `created ${created.slug} (${created.status})${created.templateId ? ` from ${created.templateId} v${created.templateVersion}` : ''}`,
              ...(tasks.length ? ['', table(tasks.map(taskRow))] : []),
              '',
              tasks.length
                ? `next: bosun project advance ${created.slug}`
                : `next: bosun task add ${created.slug} "<title>"`,
            ].join('\n'),
        );
      }),
    );

  project
    .command('list')
    .description('projects, most recently changed first')
    .option('--status <phase>', `only this phase (${projectPhases.join(', ')})`)
    .option('--limit <n>', 'at most this many', '50')
    .action(
      wrap(async (ctx, opts: { status?: string; limit: string }) => {
        const status = opts.status ? parseWith(phaseSchema, opts.status, '--status') : undefined;
        const db = await ctx.db();
        const rows = await listProjects(db.pool, { status, limit: parsePositiveInt(opts.limit, '--limit'), offset: 0 });
        emit(ctx, { projects: rows }, () =>
          table(rows.map((r) => ({ ...r, updatedAt: r.updatedAt.toISOString().slice(0, 16) }))),
        );
      }),
    );

  project
    .command('plan <slug>')
    .description('ask the language model for tasks from a brief; the plan is checked before anything is added')
    .option('--brief <file>', "a file with the brief (default: the project's own brief)")
    .action(
      wrap(async (ctx, slug: string, opts: { brief?: string }) => {
        const pm = await pmContext(ctx);
        const brief = opts.brief ? readTextFile(opts.brief, 'the brief') : (await getProject(pm.pool, slug)).brief;
        if (!brief) {
          throw new BosunError('INVALID_INPUT', `project ${slug} has no brief`, {
            hint: `give one with \`bosun project plan ${slug} --brief brief.md\``,
          });
        }
        const registry = await agentRegistry(ctx);
        const skills = registry
          .list()
          .flatMap((a) =>
            a.manifest.skills.map((s) => ({ id: s.id, description: s.description, inputSchema: s.inputSchema })),
          );
        const plan = await planProjectWithModel(pm, {
          slug,
          brief,
          skills,
          chat: chatEndpointOf(ctx.config.endpoints),
        });
        emit(
          ctx,
          {
            model: plan.model,
            tasks: plan.tasks.map(taskRow),
            attempts: plan.attempts,
            transcript: plan.transcript,
          },
          () =>
            [
              `${plan.model} planned ${plan.tasks.length} task(s) for ${slug}` +
                (plan.attempts.length > 1
                  ? ` (its first answer was refused: ${plan.attempts[0]!.problems.join('; ')})`
                  : ''),
              '',
              table(plan.tasks.map(taskRow)),
            ].join('\n'),
        );
      }),
    );

  project
    .command('show <slug>')
    .description('phase, progress, tasks by state, time spent and next actions')
    .action(
      wrap(async (ctx, slug: string) => {
        const overview = await projectOverview((await ctx.db()).pool, slug);
        emit(ctx, overview, () => renderOverview(overview));
      }),
    );

  project
    .command('advance <slug>')
    .description('move to the next phase (or --to one), if its guard holds')
    .option('--to <phase>', 'planning, execution or documentation')
    .action(
      wrap(async (ctx, slug: string, opts: { to?: string }) => {
        const to = opts.to ? parseWith(phaseSchema, opts.to, '--to') : undefined;
        const moved = await advanceProject(await pmContext(ctx), slug, to);
        emit(ctx, { slug, status: moved.status }, () => `${slug} is now in ${moved.status}`);
      }),
    );

  project
    .command('hold <slug>')
    .description('put a project on hold (no task is claimed until it resumes)')
    .option('--reason <text>', 'why')
    .action(
      wrap(async (ctx, slug: string, opts: { reason?: string }) => {
        const held = await holdProject(await pmContext(ctx), slug, opts.reason);
        emit(
          ctx,
          { slug, status: held.status, heldFrom: held.heldFrom },
          () => `${slug} is on hold (was ${held.heldFrom})`,
        );
      }),
    );

  project
    .command('resume <slug>')
    .description('return a project on hold to the phase it left')
    .action(
      wrap(async (ctx, slug: string) => {
        const resumed = await resumeProject(await pmContext(ctx), slug);
        emit(ctx, { slug, status: resumed.status }, () => `${slug} resumed in ${resumed.status}`);
      }),
    );

  project
    .command('cancel <slug>')
    .description('cancel a project and its unfinished tasks (the project document is still written)')
    .requiredOption('--reason <text>', 'why')
    .action(
      wrap(async (ctx, slug: string, opts: { reason: string }) => {
        const cancelled = await cancelProject(await pmContext(ctx), slug, opts.reason);
        emit(ctx, { slug, status: cancelled.status }, () => `${slug} is cancelled`);
      }),
    );

  project
    .command('doc <slug>')
    .description('the project document (written on entering documentation; a draft before that)')
    .option('--out <file>', 'write it to this file instead of stdout')
    .action(
      wrap(async (ctx, slug: string, opts: { out?: string }) => {
        const db = await ctx.db();
        const p = await getProject(db.pool, slug);
        const draft = p.document === null;
        const document = p.document ?? (await renderProjectDocument(db.pool, p));
        if (opts.out) fs.writeFileSync(opts.out, document);
        emit(ctx, { slug, draft, generatedAt: p.documentAt, ...(opts.out ? { file: opts.out } : { document }) }, () =>
          opts.out
            ? `wrote ${opts.out}${draft ? ' (draft)' : ''}`
            : (draft ? '<!-- draft: the document is written on entering documentation -->\n' : '') + document,
        );
      }),
    );

  project
    .command('archive <slug>')
    .description(
      'archive a documented or cancelled project: lake tables (schema archive) and a JSON bundle, verified, then the working rows are freed',
    )
    .action(
      wrap(async (ctx, slug: string) => {
        const archived = await archiveProject(await pmContext(ctx), { lake: await ctx.lake(), paths: ctx.paths }, slug);
        emit(ctx, { slug, status: archived.status, archive: archived.archive }, () =>
          [
            `${slug} is archived (lake snapshot ${archived.archive!.snapshotId})`,
            `bundle: ${archived.archive!.bundlePath}`,
            `rows: ${Object.entries(archived.archive!.counts)
              .map(([t, n]) => `${t} ${n}`)
              .join(', ')}`,
          ].join('\n'),
        );
      }),
    );

  project
    .command('reopen <slug>')
    .description('bring an archived project back from the lake, in the phase it was archived from')
    .action(
      wrap(async (ctx, slug: string) => {
        const reopened = await reopenProject(await pmContext(ctx), { lake: await ctx.lake() }, slug);
        emit(ctx, { slug, status: reopened.status }, () => `${slug} is back, in ${reopened.status}`);
      }),
    );

  project
    .command('note <slug> <text>')
    .description('record a decision, lesson, issue or note (they go into the project document)')
    .option('--kind <kind>', noteKinds.join(' | '), 'note')
    .option('--task <ref>', 'the task it is about')
    .action(
      wrap(async (ctx, slug: string, text: string, opts: { kind: string; task?: string }) => {
        const note = await addNote(await pmContext(ctx), {
          project: slug,
          kind: opts.kind as NoteInput['kind'],
          body: text,
          ...(opts.task ? { task: opts.task } : {}),
        });
        emit(ctx, { note }, () => `noted (${note.kind}) on ${note.taskRef ?? slug}`);
      }),
    );
}
