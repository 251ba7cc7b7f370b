import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLake } from '../../src/lake/index.js';
import {
  createProject,
  findTemplate,
  instantiate,
  isKnownSkill,
  listTasks,
  loadTemplateSet,
  storedTemplateYaml,
  validateTemplateFile,
} from '../../src/pm/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { pmContext, shippedTemplateSet, tempHome, uniqueSlug } from './helpers.js';

/** Params that satisfy each shipped template's required ones. */
const requiredParams: Record<string, Record<string, string>> = {
  'etl-pipeline': { source_uri: 'https://data.example.com/orders.csv', target_table: 'analytics.orders' },
  'ml-research': { dataset_uri: 's3://bucket/churn.parquet', target: 'churned' },
  'document-processing': { documents: '/data/invoices/*.pdf' },
  'web-scraping': { target_url: 'https://shop.example.com/', item: 'product' },
  automation: { trigger: 'cron:0 * * * *', action: 'sync invoices to the ledger' },
};

const yamlTemplate = (body: string) => body.replace(/^ {6}/gm, '');

describe('templates', () => {
  const home = tempHome();
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
    home.remove();
  });

  it('ships the five project types and five fragments, all valid', () => {
    const catalog = shippedTemplateSet();
    expect(catalog.problems).toEqual([]);
    expect([...catalog.templates.keys()].sort()).toEqual(Object.keys(requiredParams).sort());
    expect([...catalog.fragments.keys()].sort()).toEqual([
      'data-quality-validation',
      'deployment-monitoring',
      'synthetic-data',
      'testing-validation',
      'visualisation-reporting',
    ]);
    const included = new Set([...catalog.templates.values()].flatMap((t) => t.value.include.map((i) => i.fragment)));
    expect([...included].sort()).toEqual([...catalog.fragments.keys()].sort());
  });

  it.each(Object.keys(requiredParams))('instantiates %s into a project whose tasks follow the DAG', async (id) => {
    const catalog = shippedTemplateSet();
    const template = findTemplate(catalog, id);
    const { drafts } = instantiate(template, requiredParams[id]!);
    for (const d of drafts) {
      expect(isKnownSkill(d.skill!)).toBe(true);
      expect(JSON.stringify(d)).not.toMatch(/\{\{\s*params\./);
      expect(d.title).not.toMatch(/\{\{/);
    }
    const slug = uniqueSlug(id);
    const { project, tasks } = await createProject(pmContext(db), catalog, {
      slug,
      template: id,
      params: requiredParams[id]!,
    });
    expect(project).toMatchObject({ templateId: id, templateVersion: template.version, status: 'planning' });
    expect(tasks).toHaveLength(template.steps.length);
    const stored = await listTasks(db.pool, { projectId: project.id, limit: 1000, offset: 0 });
    const roots = template.steps.filter((s) => s.depends_on.length === 0).map((s) => s.key);
    for (const t of stored) expect(t.status).toBe(roots.includes(t.stepKey!) ? 'ready' : 'blocked');
    const edges = await db.pool.query('SELECT count(*)::int AS n FROM bosun.task_edge WHERE project_id = $1', [
      project.id,
    ]);
    expect(edges.rows[0].n).toBe(template.steps.reduce((n, s) => n + s.depends_on.length, 0));
  });

  it('coerces typed params and applies defaults', () => {
    const { params, drafts } = instantiate(findTemplate(shippedTemplateSet(), 'web-scraping'), {
      ...requiredParams['web-scraping'],
      max_pages: '7',
    });
    expect(params).toMatchObject({ max_pages: 7, target_table: 'scraped.items' });
    expect(drafts.find((d) => d.key === 'extract')!.inputs).toMatchObject({ max_pages: 7 });
  });

  it('rejects a missing required param, an unknown one, and a badly typed one, creating nothing', async () => {
    const catalog = shippedTemplateSet();
    const slug = uniqueSlug('missing');
    await expect(
      createProject(pmContext(db), catalog, { slug, template: 'etl-pipeline', params: { target_table: 'a.b' } }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('missing required param source_uri'),
    });
    await expect(
      createProject(pmContext(db), catalog, {
        slug,
        template: 'etl-pipeline',
        params: { ...requiredParams['etl-pipeline'], colour: 'red' },
      }),
    ).rejects.toMatchObject({ message: expect.stringContaining('unknown param colour') });
    await expect(
      createProject(pmContext(db), catalog, {
        slug,
        template: 'etl-pipeline',
        params: { ...requiredParams['etl-pipeline'], min_rows: 'lots' },
      }),
    ).rejects.toMatchObject({ message: expect.stringContaining("param 'min_rows' must be a number") });
    await expect(
      createProject(pmContext(db), catalog, {
        slug,
        template: 'etl-pipeline',
        params: { ...requiredParams['etl-pipeline'], source_format: 'xml' },
      }),
    ).rejects.toMatchObject({ message: expect.stringContaining('one of csv, tsv, json, ndjson, parquet') });
    const rows = await db.pool.query('SELECT count(*)::int AS n FROM bosun.project WHERE slug = $1', [slug]);
    expect(rows.rows[0].n).toBe(0);
  });

  it('names the templates there are when one is unknown', () => {
    expect(() => findTemplate(shippedTemplateSet(), 'etl')).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', hint: expect.stringContaining('etl-pipeline') }),
    );
  });

  describe('validation of a template file', () => {
    const write = (name: string, body: string) => {
      const file = path.join(home.paths.home, name);
      fs.writeFileSync(file, yamlTemplate(body));
      return file;
    };

    it('rejects a cycle and spells it out', () => {
      const file = write(
        'cycle.yaml',
        `id: cyclic
      version: 1
      title: Cyclic
      description: a waits for c, which waits for a
      steps:
        - { key: a, title: A, skill: python.run, depends_on: [c] }
        - { key: b, title: B, skill: python.run, depends_on: [a] }
        - { key: c, title: C, skill: python.run, depends_on: [b] }
      `,
      );
      expect(() => validateTemplateFile(shippedTemplateSet(), file)).toThrow(/dependency cycle: a → c → b → a/);
    });

    it('rejects an unknown skill with the list of known ones', () => {
      const file = write(
        'skill.yaml',
        `id: skilled
      version: 1
      title: Skilled
      description: uses a skill nobody has
      steps:
        - { key: a, title: A, skill: telepathy.read }
      `,
      );
      expect(() => validateTemplateFile(shippedTemplateSet(), file)).toThrow(
        expect.objectContaining({
          message: expect.stringContaining("unknown skill 'telepathy.read'"),
          hint: expect.stringContaining('python.run'),
        }),
      );
    });

    it('rejects undeclared params, dangling dependencies, and outputs of steps that are not upstream', () => {
      const file = write(
        'refs.yaml',
        `id: refs
      version: 1
      title: Refs
      description: every kind of bad reference
      steps:
        - { key: a, title: "A {{ params.nope }}", skill: python.run }
        - { key: b, title: B, skill: python.run, depends_on: [ghost] }
        - { key: c, title: C, skill: python.run, inputs: { x: "{{ steps.a.outputs.y }}" } }
      `,
      );
      let message = '';
      try {
        validateTemplateFile(shippedTemplateSet(), file);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toContain('{{ params.nope }} is not a declared param');
      expect(message).toContain("depends on unknown step 'ghost'");
      expect(message).toContain('refers to a step it does not depend on');
    });

    it('rejects schema errors with the key path', () => {
      const file = write(
        'schema.yaml',
        `id: Bad_Id
      version: one
      title: T
      description: D
      steps: []
      `,
      );
      expect(() => validateTemplateFile(shippedTemplateSet(), file)).toThrow(
        /id: ids are lowercase.*version: a version like.*steps: at least one step/,
      );
    });

    it('rejects an include of an unknown fragment and a fragment param left out', () => {
      const file = write(
        'include.yaml',
        `id: includer
      version: 1
      title: Includer
      description: includes things
      steps:
        - { key: a, title: A, skill: python.run }
      include:
        - { fragment: no-such-fragment, as: x }
        - { fragment: data-quality-validation, as: dq, after: [a] }
      `,
      );
      expect(() => validateTemplateFile(shippedTemplateSet(), file)).toThrow(
        /unknown fragment 'no-such-fragment'.*missing required param 'dataset'/,
      );
    });

    it('accepts a valid template and returns its expanded steps in order', () => {
      const file = write(
        'good.yaml',
        `id: good
      version: 2.1
      title: Good
      description: fine
      params:
        table: { type: string, required: true }
      steps:
        - { key: load, title: "Load {{ params.table }}", skill: sql.query }
        - { key: publish, title: Publish, skill: docs.write, depends_on: [dq.check] }
      include:
        - fragment: data-quality-validation
          as: dq
          after: [load]
          with: { dataset: "{{ params.table }}" }
      `,
      );
      const result = validateTemplateFile(shippedTemplateSet(), file);
      expect(result).toMatchObject({ kind: 'template', id: 'good', version: '2.1' });
      const keys = result.steps.map((s) => s.key);
      expect(keys).toEqual(expect.arrayContaining(['load', 'dq.profile', 'dq.check', 'dq.report', 'publish']));
      expect(keys.indexOf('dq.check')).toBeLessThan(keys.indexOf('publish'));
      expect(result.steps.find((s) => s.key === 'dq.profile')!.depends_on).toEqual(['load']);
    });
  });

  it('keeps the pinned template version in the lake, once, and refuses a changed file under the same version', async () => {
    const lake = await openLake({ pool: db.pool, dataPath: home.paths.lake });
    const catalog = shippedTemplateSet();
    const params = requiredParams['automation']!;
    await createProject(pmContext(db), catalog, { slug: uniqueSlug('pin'), template: 'automation', params }, { lake });
    await createProject(pmContext(db), catalog, { slug: uniqueSlug('pin'), template: 'automation', params }, { lake });
    const stored = await lake.withReader({}, async (conn) =>
      (
        await conn.runAndReadAll(`SELECT id, version, yaml FROM pm.templates WHERE id = 'automation'`)
      ).getRowObjectsJson(),
    );
    expect(stored).toEqual([{ id: 'automation', version: '1.0.0', yaml: findTemplate(catalog, 'automation').yaml }]);
    expect(await storedTemplateYaml(lake, 'automation', '1.0.0')).toContain('id: automation');

    const edited = {
      ...findTemplate(catalog, 'automation'),
      yaml: findTemplate(catalog, 'automation').yaml + '\n# edited\n',
    };
    const slug = uniqueSlug('pin');
    const changedSet = { ...catalog, templates: new Map([...catalog.templates, ['automation', edited]]) };
    await expect(
      createProject(pmContext(db), changedSet, { slug, template: 'automation', params }, { lake }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      hint: expect.stringContaining('new version'),
    });
    const rows = await db.pool.query('SELECT count(*)::int AS n FROM bosun.project WHERE slug = $1', [slug]);
    expect(rows.rows[0].n).toBe(0);
  });

  it('lets a user template in $BOSUN_HOME/templates override a shipped one by id, and reports broken files', () => {
    fs.mkdirSync(home.paths.templates, { recursive: true });
    fs.writeFileSync(
      path.join(home.paths.templates, 'my-etl.yaml'),
      yamlTemplate(`id: etl-pipeline
      version: 9.0.0
      title: My ETL
      description: the way I do it
      steps:
        - { key: only, title: Only step, skill: python.run }
      `),
    );
    fs.writeFileSync(path.join(home.paths.templates, 'broken.yaml'), 'id: [unclosed');
    const catalog = loadTemplateSet(home.paths);
    expect(catalog.templates.get('etl-pipeline')).toMatchObject({ source: 'user', version: '9.0.0' });
    expect(catalog.templates.get('ml-research')).toMatchObject({ source: 'shipped' });
    expect(catalog.problems).toEqual([
      expect.objectContaining({ source: 'user', message: expect.stringContaining('not valid YAML') }),
    ]);
  });
});
