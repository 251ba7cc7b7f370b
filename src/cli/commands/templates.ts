import path from 'node:path';
import type { Command } from 'commander';
import { BosunError } from '../../core/index.js';
import { findTemplate, loadTemplateSet, validateTemplateFile } from '../../pm/index.js';
import { emit, keyValues, table } from '../output.js';
import type { Wrap } from './wrap.js';
import { commandSummaries } from './summaries.js';

/** `bosun templates list|show|validate`: the project templates (shipped and the user's own). */
export function registerTemplatesCommands(program: Command, wrap: Wrap): void {
  const templates = program.command('templates').description(commandSummaries.templates);

  templates
    .command('list')
    .description('templates and fragments, shipped and from $BOSUN_HOME/templates (which override by id)')
    .action(
      wrap(async (ctx) => {
        const templateSet = loadTemplateSet(ctx.paths);
        const rows = [...templateSet.templates.values()].map((t) => ({
          id: t.id,
          version: t.version,
          title: t.value.title,
          steps: t.steps.length,
          params: Object.keys(t.value.params).length,
          source: t.source,
        }));
        const fragments = [...templateSet.fragments.values()].map((f) => ({
          id: f.id,
          version: f.version,
          title: f.value.title,
          steps: f.value.steps.length,
          source: f.source,
        }));
        emit(ctx, { templates: rows, fragments, problems: templateSet.problems }, () =>
          [
            table(rows),
            '',
            'fragments (included by templates):',
            table(fragments),
            ...(templateSet.problems.length
              ? ['', 'files that do not load:', ...templateSet.problems.map((p) => `  ${p.file}: ${p.message}`)]
              : []),
          ].join('\n'),
        );
      }),
    );

  templates
    .command('show <id>')
    .description('a template: its params and its steps, with includes expanded')
    .action(
      wrap(async (ctx, id: string) => {
        const templateSet = loadTemplateSet(ctx.paths);
        const fragment = templateSet.fragments.get(id);
        const t = fragment ? null : findTemplate(templateSet, id);
        const value = t?.value ?? fragment!.value;
        const steps = (t?.steps ?? fragment!.value.steps).map((s) => ({
          key: s.key,
          title: s.title,
          skill: s.skill,
          dependsOn: s.depends_on,
          trigger: s.trigger,
          retries: s.retries,
          timeoutSeconds: s.timeout ?? null,
        }));
        const params = Object.entries(value.params).map(([name, p]) => ({
          name,
          type: p.type === 'enum' ? `enum(${p.values!.join('|')})` : p.type,
          required: p.required,
          default: p.default ?? null,
          description: p.description ?? '',
        }));
        const source = t ?? templateSet.fragments.get(id)!;
        const data = {
          kind: value.kind,
          id: value.id,
          version: value.version,
          title: value.title,
          description: value.description,
          source: source.source,
          file: source.file,
          params,
          steps,
        };
        emit(ctx, data, () =>
          [
            keyValues([
              ['id', `${value.id} v${value.version} (${value.kind}, ${source.source})`],
              ['title', value.title],
              ['file', source.file],
            ]),
            '',
            value.description.trim(),
            '',
            'params:',
            table(params),
            '',
            'steps:',
            table(
              steps.map((s) => ({ ...s, dependsOn: s.dependsOn.join(', ') })),
              ['key', 'title', 'skill', 'dependsOn', 'trigger'],
            ),
          ].join('\n'),
        );
      }),
    );

  templates
    .command('validate <file>')
    .description('check a template or fragment file (schema, skills, dependencies, cycles, placeholders)')
    .action(
      wrap(async (ctx, file: string) => {
        const absolute = path.resolve(file);
        if (!/\.ya?ml$/.test(absolute)) throw new BosunError('INVALID_INPUT', `${file} is not a .yaml or .yml file`);
        const result = validateTemplateFile(loadTemplateSet(ctx.paths), absolute);
        emit(
          ctx,
          {
            valid: true,
            file: absolute,
            kind: result.kind,
            id: result.id,
            version: result.version,
            steps: result.steps.map((s) => s.key),
          },
          () =>
            `${absolute}: valid ${result.kind} ${result.id} v${result.version} (${result.steps.length} steps: ${result.steps.map((s) => s.key).join(', ')})`,
        );
      }),
    );
}
