import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { BosunError, ExitCode, assertSlug, newId, parseWith } from '../../core/index.js';
import {
  executeAgent,
  exportA2ACards,
  exportClaudeCodeSubagents,
  inputFromPairs,
  openAgentRegistry,
  recordRunOutcome,
  type AgentRegistry,
  type RegisteredAgent,
  type ResultEnvelope,
} from '../../agents/index.js';
import type { CliContext } from '../context.js';
import { emit, keyValues, parsePositiveInt, table } from '../output.js';
import type { Wrap } from './wrap.js';
import { commandSummaries } from './summaries.js';

async function openRegistry(ctx: CliContext): Promise<AgentRegistry> {
  const db = await ctx.db();
  return openAgentRegistry({ pool: db.pool, paths: ctx.paths, logger: ctx.logger, endpoints: ctx.config.endpoints });
}

function agentRow(a: RegisteredAgent) {
  const m = a.manifest;
  return {
    id: m.id,
    name: m.name,
    tier: m.tier,
    version: m.version,
    executor: m.executor.kind,
    source: a.source,
    file: a.file,
    available: a.availability.available,
    unavailableReasons: a.availability.reasons,
    skills: m.skills.map((s) => s.id),
  };
}

/** Usable here or not, per agent, with the commands that are missing and the packages to install. */
function checkReport(registry: AgentRegistry) {
  const agents = registry.list().map((a) => {
    const commands = [...a.availability.commands, ...[...a.skillAvailability.values()].flatMap((s) => s.commands)];
    const missing = new Map(commands.filter((c) => !c.ok).map((c) => [c.name, c]));
    return {
      id: a.manifest.id,
      usable: a.availability.available,
      automatic: a.manifest.executor.kind !== 'assistant',
      reasons: a.availability.reasons,
      missing: [...missing.values()].map((c) => ({
        command: c.name,
        optional: c.optional,
        problem: c.problem,
        package: c.package,
        purpose: c.purpose,
      })),
    };
  });
  const packages = [
    ...new Set(agents.flatMap((a) => a.missing.flatMap((m) => (m.package ? m.package.split(/\s+/) : [])))),
  ].sort();
  return { agents, install: packages.length ? `apt-get install -y ${packages.join(' ')}` : null };
}

function renderCheck(report: ReturnType<typeof checkReport>): string {
  const lines = report.agents.map((a) => {
    const head = `${a.usable ? '✔' : '✘'} ${a.id.padEnd(18)} ${a.automatic ? 'automatic' : 'assistant'}`;
    const notes = a.missing.map(
      (m) => `    ${m.optional ? 'optional: ' : ''}${m.problem}${m.purpose ? ` (for ${m.purpose})` : ''}`,
    );
    return [head, ...notes].join('\n');
  });
  lines.push(
    '',
    report.install ? `to install what is missing: ${report.install}` : 'every command the agents need is here',
  );
  return lines.join('\n');
}

function renderEnvelope(e: ResultEnvelope, workDir: string): string {
  const lines = [
    keyValues([
      ['status', e.status],
      ['summary', e.summary],
      ['work dir', workDir],
      ...(e.error
        ? ([['error', `${e.error.code}: ${e.error.message}${e.error.retryable ? ' (retryable)' : ''}`]] as [
            string,
            unknown,
          ][])
        : []),
    ]),
  ];
  if (e.artifacts.length)
    lines.push(
      '',
      table(
        e.artifacts.map((a) => ({ artifact: a.name, type: a.mediaType, bytes: a.bytes, path: a.path ?? '(inline)' })),
      ),
    );
  const metrics = Object.entries(e.metrics);
  if (metrics.length) lines.push('', metrics.map(([k, v]) => `${k}=${v}`).join('  '));
  return lines.join('\n');
}

const inputFileSchema = z.record(z.unknown());

async function readInputFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new BosunError('INVALID_INPUT', `cannot read --input-file ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new BosunError('INVALID_INPUT', `--input-file ${file} is not JSON: ${(err as Error).message}`);
  }
  return parseWith(inputFileSchema, json, `--input-file ${file} (a JSON object)`);
}

interface RunOptions {
  input: string[];
  inputFile?: string;
  cache: boolean;
  workDir?: string;
  scope: string;
  timeout?: string;
}

export function registerAgentsCommands(program: Command, wrap: Wrap): void {
  const agents = program.command('agents').description(commandSummaries.agents);

  agents
    .command('list')
    .description('every agent (built-in and $BOSUN_HOME/agents) with its tier, executor, skills and availability')
    .action(
      wrap(async (ctx) => {
        const rows = (await openRegistry(ctx)).list().map(agentRow);
        emit(ctx, rows, () =>
          table(
            rows.map((r) => ({
              id: r.id,
              tier: r.tier,
              executor: r.executor,
              usable: r.available ? 'yes' : 'no',
              source: r.source,
              skills: r.skills.join(', '),
            })),
          ),
        );
      }),
    );

  agents
    .command('show <id>')
    .description("one agent's manifest, availability and per-skill statistics")
    .action(
      wrap(async (ctx, id: string) => {
        const registry = await openRegistry(ctx);
        const agent = registry.get(id);
        const skills = await Promise.all(
          agent.manifest.skills.map(async (s) => {
            const stats = await registry.statsFor(id, s.id);
            const availability = agent.skillAvailability.get(s.id) ?? agent.availability;
            return {
              id: s.id,
              name: s.name,
              available: availability.available,
              reasons: availability.reasons,
              runs: stats?.runs ?? 0,
              successes: stats?.successes ?? 0,
              p50DurationMs: stats?.p50DurationMs ?? null,
            };
          }),
        );
        const data = {
          ...agentRow(agent),
          overrides: agent.overrides ?? null,
          manifest: agent.manifest,
          commands: agent.availability.commands,
          skillStats: skills,
        };
        emit(ctx, data, () =>
          [
            keyValues([
              ['id', data.id],
              ['name', data.name],
              ['tier', data.tier],
              ['version', data.version],
              ['executor', data.executor],
              ['file', data.file],
              ['overrides', data.overrides],
              ['usable', data.available ? 'yes' : `no: ${data.unavailableReasons.join('; ')}`],
            ]),
            '',
            agent.manifest.description,
            '',
            table(
              skills.map((s) => ({
                skill: s.id,
                usable: s.available ? 'yes' : 'no',
                runs: s.runs,
                successes: s.successes,
                p50_ms: s.p50DurationMs,
              })),
            ),
          ].join('\n'),
        );
      }),
    );

  agents
    .command('check')
    .description('which agents are usable here, which commands are missing, and the Debian packages to install')
    .action(
      wrap(async (ctx) => {
        const report = checkReport(await openRegistry(ctx));
        emit(ctx, report, () => renderCheck(report));
      }),
    );

  agents
    .command('export')
    .description('write the agents as A2A agent cards or Claude Code subagent files')
    .requiredOption('--format <format>', 'a2a | claude-code')
    .option('--out <dir>', 'write one file per agent here (e.g. .claude/agents); without it, print them')
    .option('--base-url <url>', 'A2A: the URL under which the agents are served (default: urn:bosun:agent:<id>)')
    .action(
      wrap(async (ctx, opts: { format: string; out?: string; baseUrl?: string }) => {
        const format = parseWith(z.enum(['a2a', 'claude-code']), opts.format, '--format');
        const registry = await openRegistry(ctx);
        // Cards come in the registry's order, one per agent.
        const ids = registry.list().map((a) => a.manifest.id);
        const files =
          format === 'a2a'
            ? exportA2ACards(registry, opts.baseUrl ? { baseUrl: opts.baseUrl } : {}).map((card, i) => ({
                file: `${ids[i]}.json`,
                content: JSON.stringify(card, null, 2) + '\n',
              }))
            : exportClaudeCodeSubagents(registry);
        if (!opts.out) {
          emit(ctx, { format, files }, () => files.map((f) => `# ${f.file}\n${f.content}`).join('\n'));
          return;
        }
        const out = path.resolve(opts.out);
        await fs.mkdir(out, { recursive: true });
        for (const f of files) await fs.writeFile(path.join(out, f.file), f.content);
        const written = files.map((f) => path.join(out, f.file));
        emit(ctx, { format, out, written }, () => `wrote ${written.length} files to ${out}`);
      }),
    );

  agents
    .command('run <agent> <skill>')
    .description('run one skill now, in the foreground, and print its result envelope')
    .option(
      '--input <key=value>',
      'an input field (repeatable); JSON where the skill expects a non-string',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--input-file <file>', 'the input as a JSON object (--input fields override it)')
    .option('--no-cache', 'run even if a cached result exists')
    .option(
      '--work-dir <dir>',
      'where the agent reads and writes files (default: a new folder under workspaces/<scope>/runs)',
    )
    .option(
      '--scope <name>',
      'what the run belongs to, e.g. a project slug (the Python agent keeps one environment per scope)',
      'default',
    )
    .option('--timeout <seconds>', "override the skill's timeout")
    .action(
      wrap(async (ctx, agentId: string, skillId: string, opts: RunOptions) => {
        const scope = assertSlug(opts.scope, 'scope');
        const registry = await openRegistry(ctx);
        const { skill } = registry.skill(agentId, skillId);
        const base = opts.inputFile ? await readInputFile(opts.inputFile) : {};
        const input = inputFromPairs(skill.inputSchema, opts.input, base);
        const workDir = path.resolve(
          opts.workDir ??
            path.join(ctx.paths.workspaces, scope, 'runs', `${agentId}-${skillId}-${newId().slice(0, 8)}`),
        );
        const controller = new AbortController();
        const stop = () => controller.abort();
        process.once('SIGINT', stop);
        let envelope: ResultEnvelope;
        try {
          envelope = await executeAgent({
            registry,
            agentId,
            skillId,
            input,
            workDir,
            scope,
            noCache: !opts.cache,
            signal: controller.signal,
            // Skills that raise PM tasks (infra.monitor) get the PM's, loaded only if one asks.
            tasks: {
              raise: async (req) => {
                const [{ taskRaiser }, { pmContext }] = await Promise.all([
                  import('../../pm/index.js'),
                  import('./project.js'),
                ]);
                return taskRaiser(await pmContext(ctx)).raise(req);
              },
            },
            logger: ctx.logger,
            // docs.write reads a project; the PM is loaded only when a skill asks.
            projects: { read: async (slug) => (await import('../../pm/index.js')).projectFacts(registry.pool, slug) },
            ...(opts.timeout ? { timeoutSeconds: parsePositiveInt(opts.timeout, '--timeout') } : {}),
            onProgress: (e) => {
              if (!ctx.json) process.stderr.write(`… ${e.message}\n`);
            },
          });
        } finally {
          process.removeListener('SIGINT', stop);
        }
        const ran = !envelope.metrics.cacheHit && (envelope.status === 'completed' || envelope.status === 'failed');
        if (ran)
          await recordRunOutcome(registry.pool, {
            agentId,
            skillId,
            ok: envelope.status === 'completed',
            durationMs: envelope.metrics.durationMs ?? 0,
          });
        emit(ctx, { agentId, skillId, workDir, envelope }, () => renderEnvelope(envelope, workDir));
        if (envelope.status !== 'completed')
          process.exitCode = envelope.status === 'rejected' ? ExitCode.usage : ExitCode.failure;
      }),
    );
}
