import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { BosunError, parseWith } from '../../../core/index.js';
import { artifactFromFile, completedEnvelope, type ResultEnvelope } from '../../envelope.js';
import type { AgentContext, ProjectFacts } from '../../runtime/types.js';
import { renderDocument, type DocumentKind } from './document.js';

/**
 * docs.write: a readme, handbook or report of a project, from its tasks, results, artifacts and
 * notes as the PM recorded them, written as markdown (the artifact) and indexed into the
 * project's documentation library (`project-<slug>`, a folder source under the project's
 * workspace, synced like any other) so `bosun docs search` and the docs MCP server find it.
 */
export const docsWriteInput = z
  .object({
    kind: z.string().min(1).default('report'),
    /** The project's slug; default: the run's scope when the PM runs the task. */
    project: z.string().min(1).optional(),
    /** Extra material (findings, a description…): each key becomes a section. */
    inputs: z.record(z.unknown()).default({}),
    title: z.string().min(1).max(300).optional(),
    /** Index the document into the project's library (default true). */
    index: z.boolean().default(true),
  })
  // Templates pass their material as top-level keys; they join `inputs`.
  .passthrough();

/** The three documents, and the names templates give them. */
function documentKind(kind: string): { kind: DocumentKind; title?: string } {
  if (kind === 'readme' || kind === 'handbook' || kind === 'report') return { kind };
  if (kind === 'runbook' || kind === 'handover') return { kind: 'handbook' };
  return { kind: 'report', title: kind.replace(/[-_]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase()) };
}

export const projectLibraryName = (slug: string) => `project-${slug}`;

async function readProject(ctx: AgentContext, slug: string): Promise<ProjectFacts> {
  if (!ctx.projects)
    throw new BosunError('NO_PROJECTS', `docs.write cannot read project '${slug}' here: no project manager was given`, {
      hint: 'run it as a task of the project (`bosun worker`) or with `bosun agents run`',
      details: { retryable: false },
    });
  return ctx.projects.read(slug);
}

/** Writes the document into the library's folder and syncs the library (created on first use). */
async function indexDocument(ctx: AgentContext, slug: string, fileName: string, markdown: string) {
  const docs = await import('../../../docs/index.js');
  const library = projectLibraryName(slug);
  const folder = path.join(ctx.paths.workspaces, slug, 'documents');
  await fs.mkdir(folder, { recursive: true });
  await fs.writeFile(path.join(folder, fileName), markdown);
  if (!(await docs.libraryNames(ctx.pool)).includes(library)) {
    await docs
      .addLibrary(ctx.pool, {
        name: library,
        input: folder,
        source: {},
        description: `Documents written for project ${slug}`,
      })
      // Another run of the same project may have created it a moment ago: that is the same library.
      .catch((err: unknown) => {
        if ((err as { code?: string }).code !== 'CONFLICT') throw err;
      });
  }
  const summary = await docs.syncLibrary({ pool: ctx.pool, lake: await ctx.lake(), logger: ctx.logger }, library, {
    signal: ctx.signal,
  });
  return { library, path: fileName, folder, snapshotId: summary.snapshotId, chunks: summary.chunks.total };
}

export async function docsWrite(ctx: AgentContext): Promise<ResultEnvelope> {
  const {
    kind: asked,
    project,
    inputs: given,
    title,
    index,
    ...extra
  } = parseWith(docsWriteInput, ctx.input, 'docs.write input');
  const { kind, title: kindTitle } = documentKind(asked);
  const input = { kind, project, title: title ?? kindTitle, index, inputs: { ...extra, ...given } };
  const slug = input.project ?? (ctx.scope !== 'default' ? ctx.scope : undefined);
  if (!slug && !Object.keys(input.inputs).length)
    throw new BosunError('INVALID_INPUT', 'docs.write needs a project or inputs to write from', {
      hint: 'give project: <slug>, or run it as a task of a project',
      details: { retryable: false },
    });
  const facts = slug ? await readProject(ctx, slug) : null;
  const markdown = renderDocument(input.kind, facts, input.inputs, input.title);
  // Named after the kind asked for, so a project's data-quality report and its final report both stay in its library.
  const fileName = `${
    asked
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'document'
  }.md`;
  const file = path.join(ctx.workDir, fileName);
  await fs.writeFile(file, markdown);
  const indexed = slug && input.index ? await indexDocument(ctx, slug, fileName, markdown) : null;
  const lines = markdown.split('\n').length;
  return completedEnvelope({
    summary: `${input.kind} of ${facts ? `project ${facts.slug}` : 'the inputs'} (${lines} lines)${indexed ? `, searchable in ${indexed.library}` : ''}`,
    outputs: {
      kind: input.kind,
      document: file,
      project: facts?.slug ?? null,
      indexed,
      sections: (markdown.match(/^#{1,6} .+$/gm) ?? []).map((h) => h.replace(/^#+\s+/, '')),
    },
    artifacts: [await artifactFromFile(file, 'text/markdown')],
    metrics: { lines, bytes: Buffer.byteLength(markdown), tasks: facts?.tasks.length ?? 0 },
  });
}
