import { BosunError } from '../core/index.js';
import { prepared } from '../db/index.js';
import type { Queryable } from './context.js';
import type { ProjectPhase } from './states.js';

/** The `bosun.project` table: its row type and the SQL that reads and writes it. */
export interface Project {
  id: string;
  slug: string;
  name: string;
  client: string | null;
  brief: string | null;
  status: ProjectPhase;
  heldFrom: ProjectPhase | null;
  templateId: string | null;
  templateVersion: string | null;
  params: Record<string, unknown>;
  budgetHours: number | null;
  hourlyRate: number | null;
  repoPath: string | null;
  document: string | null;
  documentAt: Date | null;
  archive: ArchiveLocation | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  dueOn: string | null;
  finishedAt: Date | null;
  archivedAt: Date | null;
}

/** Where an archived project's verified copy lives. */
export interface ArchiveLocation {
  archiveId: string;
  /** The lake snapshot that holds it. */
  snapshotId: number;
  bundlePath: string;
  bundleSha256: string;
  /** The phase the project was in before archiving; reopen returns it there. */
  previousStatus: ProjectPhase;
  counts: Record<string, number>;
}

export const projectColumns = `
  id, slug, name, client, brief, status, held_from AS "heldFrom", template_id AS "templateId",
  template_version AS "templateVersion", params, budget_hours::float8 AS "budgetHours",
  hourly_rate::float8 AS "hourlyRate", repo_path AS "repoPath", document, document_at AS "documentAt",
  archive, created_at AS "createdAt", updated_at AS "updatedAt", started_at AS "startedAt",
  to_char(due_on, 'YYYY-MM-DD') AS "dueOn", finished_at AS "finishedAt", archived_at AS "archivedAt"`;

export interface NewProject {
  id: string;
  slug: string;
  name: string;
  client?: string | undefined;
  brief?: string | undefined;
  templateId?: string | undefined;
  templateVersion?: string | undefined;
  params?: Record<string, unknown> | undefined;
  budgetHours?: number | undefined;
  hourlyRate?: number | undefined;
  repoPath?: string | undefined;
  dueOn?: string | undefined;
}

export async function insertProject(q: Queryable, p: NewProject): Promise<Project> {
  try {
    const res = await q.query<Project>(
      `INSERT INTO bosun.project (id, slug, name, client, brief, template_id, template_version, params,
                                  budget_hours, hourly_rate, repo_path, due_on)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       RETURNING ${projectColumns}`,
      [
        p.id,
        p.slug,
        p.name,
        p.client ?? null,
        p.brief ?? null,
        p.templateId ?? null,
        p.templateVersion ?? null,
        p.params ?? {},
        p.budgetHours ?? null,
        p.hourlyRate ?? null,
        p.repoPath ?? null,
        p.dueOn ?? null,
      ],
    );
    return res.rows[0]!;
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      throw new BosunError('CONFLICT', `a project with slug '${p.slug}' already exists`, {
        hint: `choose another slug, or look at it with \`bosun project show ${p.slug}\``,
      });
    }
    throw err;
  }
}

/** The project, optionally locked for the rest of the transaction; NOT_FOUND names the slug. */
export async function getProject(q: Queryable, slug: string, options: { forUpdate?: boolean } = {}): Promise<Project> {
  const res = await q.query<Project>(
    prepared(`SELECT ${projectColumns} FROM bosun.project WHERE slug = $1 ${options.forUpdate ? 'FOR UPDATE' : ''}`, [
      slug,
    ]),
  );
  const project = res.rows[0];
  if (!project) {
    throw new BosunError('NOT_FOUND', `no project '${slug}'`, { hint: 'list projects with `bosun project list`' });
  }
  return project;
}

export async function getProjectById(q: Queryable, id: string): Promise<Project> {
  const res = await q.query<Project>(`SELECT ${projectColumns} FROM bosun.project WHERE id = $1`, [id]);
  if (!res.rows[0]) throw new BosunError('NOT_FOUND', `no project with id ${id}`);
  return res.rows[0];
}

export interface ProjectSummary {
  slug: string;
  name: string;
  client: string | null;
  status: ProjectPhase;
  templateId: string | null;
  tasks: number;
  completed: number;
  updatedAt: Date;
}

/** Most recently changed first. */
export async function listProjects(
  q: Queryable,
  filter: { status?: ProjectPhase | undefined; limit: number; offset: number },
): Promise<ProjectSummary[]> {
  const res = await q.query<ProjectSummary>(
    `SELECT p.slug, p.name, p.client, p.status, p.template_id AS "templateId", p.updated_at AS "updatedAt",
            count(t.id)::int AS tasks, count(t.id) FILTER (WHERE t.status = 'completed')::int AS completed
       FROM bosun.project p LEFT JOIN bosun.task t ON t.project_id = p.id
      WHERE $1::text IS NULL OR p.status = $1
      GROUP BY p.id
      ORDER BY p.updated_at DESC, p.slug
      LIMIT $2 OFFSET $3`,
    [filter.status ?? null, filter.limit, filter.offset],
  );
  return res.rows;
}

/** Phase columns that change together with the status. */
export interface PhaseChange {
  status: ProjectPhase;
  heldFrom?: ProjectPhase | null;
  document?: string;
  archive?: ArchiveLocation | null;
}

export async function updateProjectPhase(q: Queryable, id: string, change: PhaseChange): Promise<Project> {
  const res = await q.query<Project>(
    `UPDATE bosun.project SET
        status      = $2,
        held_from   = $3,
        document    = COALESCE($4, document),
        document_at = CASE WHEN $4::text IS NULL THEN document_at ELSE now() END,
        archive     = CASE WHEN $5::boolean THEN $6::jsonb ELSE archive END,
        started_at  = CASE WHEN $2 = 'execution' THEN COALESCE(started_at, now()) ELSE started_at END,
        finished_at = CASE WHEN $2 IN ('documentation', 'cancelled') THEN now()
                           WHEN $2 IN ('planning', 'execution') THEN NULL ELSE finished_at END,
        archived_at = CASE WHEN $2 = 'archived' THEN now() WHEN $2 IN ('planning', 'execution', 'documentation', 'cancelled') THEN NULL ELSE archived_at END,
        updated_at  = now()
      WHERE id = $1
      RETURNING ${projectColumns}`,
    [
      id,
      change.status,
      change.heldFrom ?? null,
      change.document ?? null,
      change.archive !== undefined,
      change.archive ?? null,
    ],
  );
  return res.rows[0]!;
}

/** Reserves `count` consecutive task numbers (the n of `<slug>#<n>`); locks the project row. */
export async function reserveTaskNumbers(q: Queryable, projectId: string, count: number): Promise<number> {
  const res = await q.query<{ first: number }>(
    `UPDATE bosun.project SET next_task_number = next_task_number + $2, updated_at = now()
      WHERE id = $1 RETURNING next_task_number - $2 AS first`,
    [projectId, count],
  );
  return res.rows[0]!.first;
}
