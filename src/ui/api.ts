import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { BosunError, parseWith, type BosunPaths, type Logger } from '../core/index.js';
import type { Pool } from '../db/index.js';
import { brokenLinks, listLibraries, listSchedules, syncLibrary, type Searcher } from '../docs/index.js';
import type { Lake } from '../lake/index.js';
import { statsKey, type AgentRegistry } from '../agents/index.js';
import {
  advanceProject,
  getProject,
  listArtifacts,
  listEvents,
  listNotes,
  listProjects,
  listTasks,
  nextPhaseGuard,
  projectGraph,
  projectOverview,
  renderProjectDocument,
  retryTask,
  taskDetails,
  type PmContext,
} from '../pm/index.js';
import { liveWorkers } from '../queue/index.js';

/** What the dashboard is given by whoever starts it (the CLI composes these from its context). */
export interface DashboardDeps {
  pool: Pool;
  logger: Logger;
  paths: BosunPaths;
  lake(): Promise<Lake>;
  /** The project manager as the CLI's actions use it: changes route and queue their ready tasks. */
  pm(): Promise<PmContext>;
  registry(): Promise<AgentRegistry>;
  /** One searcher for the server's life (it follows new snapshots by itself). */
  searcher(): Promise<Searcher>;
}

export interface ApiRequest {
  method: string;
  /** Path segments after /api/. */
  segments: string[];
  query: URLSearchParams;
  body: unknown;
}

const LIST_LIMIT = 200;

const sqlBody = z
  .object({ sql: z.string().min(1).max(100_000), snapshot: z.number().int().min(0).optional() })
  .strict();
const advanceBody = z.object({ to: z.string().min(1).optional() }).strict();

async function projects(deps: DashboardDeps) {
  const list = await listProjects(deps.pool, { limit: LIST_LIMIT, offset: 0 });
  // The overview carries phase, progress, budget, next actions: what the projects page shows per row.
  return { projects: await Promise.all(list.map((p) => projectOverview(deps.pool, p.slug))) };
}

async function project(deps: DashboardDeps, slug: string) {
  const overview = await projectOverview(deps.pool, slug);
  const full = await getProject(deps.pool, slug);
  const [guard, graph, notes, artifacts, events] = await Promise.all([
    nextPhaseGuard(deps.pool, slug),
    projectGraph(deps.pool, slug),
    listNotes(deps.pool, { projectId: full.id, limit: 50 }),
    listArtifacts(deps.pool, { projectId: full.id }),
    listEvents(deps.pool, { projectId: full.id, limit: 100 }),
  ]);
  return { overview, guard, graph, notes, artifacts, events };
}

/** The stored project document, or the one it would get now (rendered on request: it reads every task). */
async function projectDocument(deps: DashboardDeps, slug: string) {
  const full = await getProject(deps.pool, slug);
  return { document: full.document ?? (await renderProjectDocument(deps.pool, full)), stored: full.document !== null };
}

async function work(deps: DashboardDeps) {
  // `submitted` is queued for an automatic agent; `working` has a run under way.
  const [working, submitted, workers] = await Promise.all([
    listTasks(deps.pool, { status: 'working', limit: LIST_LIMIT, offset: 0 }),
    listTasks(deps.pool, { status: 'submitted', limit: LIST_LIMIT, offset: 0 }),
    liveWorkers(deps.pool),
  ]);
  return { working, submitted, workers };
}

async function agents(deps: DashboardDeps) {
  const registry = await deps.registry();
  const stats = await registry.stats();
  return {
    agents: registry.list().map((a) => ({
      id: a.manifest.id,
      name: a.manifest.name,
      tier: a.manifest.tier,
      executor: a.manifest.executor.kind,
      description: a.manifest.description,
      availability: a.availability,
      requires: a.manifest.requires?.commands ?? [],
      skills: a.manifest.skills.map((s) => ({
        id: s.id,
        name: s.name,
        availability: a.skillAvailability.get(s.id) ?? a.availability,
        stats: stats.get(statsKey(a.manifest.id, s.id)) ?? null,
      })),
    })),
  };
}

async function docs(deps: DashboardDeps) {
  const libraries = await listLibraries(deps.pool);
  const withLinks = await Promise.all(
    libraries.map(async (l) => ({ ...l, brokenLinks: (await brokenLinks(deps.pool, l.name, 20)).total })),
  );
  return { libraries: withLinks, schedules: await listSchedules(deps.pool) };
}

async function lake(deps: DashboardDeps) {
  const l = await deps.lake();
  const [info, snapshots, tables] = await Promise.all([l.info(), l.snapshots(), l.tables()]);
  return { info, snapshots: snapshots.slice(-100).reverse(), tables };
}

function param(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  return value === null || value === '' ? undefined : value;
}

/** What the pages show inline; anything else is listed with its path. */
const INLINE_MEDIA = /^(image\/(png|jpeg|svg\+xml)|text\/(plain|markdown|csv)|application\/json)$/;
const MAX_INLINE_BYTES = 8 * 1024 * 1024;

/** A response that is a file, not JSON. */
export interface FileAnswer {
  file: { body: Buffer; mediaType: string };
}

/**
 * An artifact's content for the page: only a file artifact of a shown media type, and only from
 * inside Bosun's home (where runs write them): a row naming another path is refused.
 */
async function artifactContent(deps: DashboardDeps, slug: string, id: string): Promise<FileAnswer> {
  const full = await getProject(deps.pool, slug);
  const row = (await listArtifacts(deps.pool, { projectId: full.id })).find((a) => a.id === id);
  if (!row) throw new BosunError('NOT_FOUND', `project ${slug} has no artifact ${id}`);
  if (!INLINE_MEDIA.test(row.mediaType))
    throw new BosunError('UNSUPPORTED', `artifacts of type ${row.mediaType} are not shown inline`, {
      hint: row.uri ?? undefined,
    });
  if (row.inline !== null) return { file: { body: Buffer.from(row.inline), mediaType: row.mediaType } };
  if (!row.uri?.startsWith('file://')) throw new BosunError('NOT_FOUND', `artifact ${id} has no file`);
  const home = await fs.realpath(deps.paths.home);
  const file = await fs.realpath(fileURLToPath(row.uri)).catch(() => null);
  if (!file) throw new BosunError('NOT_FOUND', `the file of artifact ${id} is gone: ${row.uri}`);
  if (path.relative(home, file).startsWith('..'))
    throw new BosunError('FORBIDDEN', `artifact ${id} lies outside Bosun's home; open it yourself: ${file}`);
  const stat = await fs.stat(file);
  if (stat.size > MAX_INLINE_BYTES)
    throw new BosunError('UNSUPPORTED', `artifact ${id} is over ${MAX_INLINE_BYTES} bytes`, { hint: file });
  return { file: { body: await fs.readFile(file), mediaType: row.mediaType } };
}

type Handler = (deps: DashboardDeps, req: ApiRequest, name: string) => Promise<unknown>;

/** `METHOD path` with `:name` standing for one segment; the first route that matches answers. */
const routes: [string, Handler][] = [
  ['GET projects', (deps) => projects(deps)],
  ['GET projects/:name', (deps, _req, slug) => project(deps, slug)],
  ['GET projects/:name/document', (deps, _req, slug) => projectDocument(deps, slug)],
  ['GET projects/:name/artifact', (deps, req, slug) => artifactContent(deps, slug, param(req.query, 'id') ?? '')],
  [
    'POST projects/:name/advance',
    async (deps, req, slug) => {
      const body = parseWith(advanceBody, req.body ?? {}, 'advance request');
      return { project: await advanceProject(await deps.pm(), slug, body.to as never) };
    },
  ],
  ['GET tasks/:name', (deps, _req, ref) => taskDetails(deps.pool, ref, { eventLimit: 200 })],
  ['POST tasks/:name/retry', async (deps, _req, ref) => ({ task: await retryTask(await deps.pm(), ref) })],
  ['GET work', (deps) => work(deps)],
  ['GET agents', (deps) => agents(deps)],
  ['GET docs', (deps) => docs(deps)],
  [
    'GET docs/search',
    async (deps, req) => {
      const library = param(req.query, 'library');
      const version = param(req.query, 'version');
      return (await deps.searcher()).search({
        query: req.query.get('q') ?? '',
        ...(library ? { libraries: [library] } : {}),
        ...(version ? { version } : {}),
        limit: Number(param(req.query, 'limit') ?? 10),
      });
    },
  ],
  [
    'GET docs/read',
    async (deps, req) => {
      const version = param(req.query, 'version');
      return (await deps.searcher()).read({
        library: param(req.query, 'library') ?? '',
        pathOrChunkId: param(req.query, 'path') ?? '',
        ...(version ? { version } : {}),
      });
    },
  ],
  [
    'POST docs/:name/sync',
    async (deps, _req, library) =>
      syncLibrary({ pool: deps.pool, lake: await deps.lake(), logger: deps.logger }, library, {}),
  ],
  ['GET lake', (deps) => lake(deps)],
  [
    'POST lake/sql',
    async (deps, req) => {
      const body = parseWith(sqlBody, req.body, 'SQL request');
      return (await deps.lake()).query(body.sql, body.snapshot === undefined ? {} : { snapshot: body.snapshot });
    },
  ],
];

function matches(route: string, req: ApiRequest): { name: string } | null {
  const [method, pattern] = route.split(' ') as [string, string];
  const parts = pattern.split('/');
  if (method !== req.method || parts.length !== req.segments.length) return null;
  let name = '';
  for (const [i, part] of parts.entries()) {
    const segment = req.segments[i]!;
    if (part === ':name') name = decodeURIComponent(segment);
    else if (part !== segment) return null;
  }
  return { name };
}

/** The JSON API: each route calls the layers' own functions (no SQL here), with their guards and errors. */
export async function handleApi(deps: DashboardDeps, req: ApiRequest): Promise<unknown> {
  for (const [route, handler] of routes) {
    const match = matches(route, req);
    if (match) return handler(deps, req, match.name);
  }
  throw new BosunError('NOT_FOUND', `no API route ${req.method} /api/${req.segments.join('/')}`);
}
