import { z } from 'zod';
import { assertSlug, BosunError, newId, parseWith } from '../core/index.js';
import type { PmContext } from './context.js';
import { appendEvent } from './events.js';
import { addTasks } from './plan.js';
import { insertProject, type Project } from './projects.js';
import type { Lake } from '../lake/index.js';
import type { Task } from './tasks.js';
import { findTemplate, type TemplateSet } from './templates/template-set.js';
import { instantiate } from './templates/instantiate.js';
import { recordTemplateVersion } from './templates/lake.js';
import { pmTransaction } from './transaction.js';

export const newProjectSchema = z
  .object({
    slug: z.string().min(1),
    name: z.string().trim().min(1).max(200).optional(),
    client: z.string().trim().min(1).max(200).optional(),
    brief: z.string().max(100_000).optional(),
    template: z.string().min(1).optional(),
    params: z.record(z.union([z.string(), z.number(), z.boolean()])).default({}),
    budgetHours: z.number().nonnegative().max(100_000).optional(),
    hourlyRate: z.number().nonnegative().max(100_000).optional(),
    repoPath: z.string().min(1).optional(),
    dueOn: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
      .optional(),
  })
  .strict();
export type NewProjectInput = z.input<typeof newProjectSchema>;

/**
 * Creates a project, and with a template its whole task graph, in one transaction: a missing
 * param, an unknown template or a taken slug leave nothing behind. The project pins the
 * template's id and version, and with a lake the version's YAML is kept there.
 */
export async function createProject(
  pm: PmContext,
  templateSet: TemplateSet,
  input: NewProjectInput,
  options: { lake?: Lake } = {},
): Promise<{ project: Project; tasks: Task[] }> {
  const p = parseWith(newProjectSchema, input, 'project');
  assertSlug(p.slug, 'project slug');
  if (Object.keys(p.params).length && !p.template) {
    throw new BosunError('INVALID_INPUT', 'params are for templates, and no template was given', {
      hint: 'add --template <id>',
    });
  }
  const template = p.template ? findTemplate(templateSet, p.template) : null;
  const plan = template ? instantiate(template, p.params) : { params: {}, drafts: [] };
  if (template && options.lake) await recordTemplateVersion(options.lake, template);
  return pmTransaction(pm, async (tx) => {
    const project = await insertProject(tx.client, {
      id: newId(),
      slug: p.slug,
      name: p.name ?? template?.value.title ?? p.slug,
      client: p.client,
      brief: p.brief,
      templateId: template?.id,
      templateVersion: template?.version,
      params: plan.params,
      budgetHours: p.budgetHours,
      hourlyRate: p.hourlyRate,
      repoPath: p.repoPath,
      dueOn: p.dueOn,
    });
    appendEvent(tx, {
      projectId: project.id,
      kind: 'project.created',
      data: { slug: project.slug, ...(template ? { template: template.id, version: template.version } : {}) },
    });
    const tasks = plan.drafts.length ? await addTasks(tx, project, plan.drafts) : [];
    return { project, tasks };
  });
}
