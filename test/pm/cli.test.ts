import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBosun } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { done, installStewardAgent, tempHome } from './helpers.js';

// Each step is a real `bosun` process (about a second each, more on a busy machine).
describe('bosun templates | project | task (the built CLI)', { timeout: 300_000 }, () => {
  const home = tempHome();
  let db: TestDatabase;
  const bosun = (...args: string[]) =>
    runBosun([...args, '--json'], { home: home.paths.home, env: { BOSUN_DATABASE_URL: db.url } });
  const file = (name: string, content: unknown) => {
    const p = path.join(home.paths.home, name);
    fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
    return p;
  };
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
    home.remove();
  });

  it('lists, shows and validates templates', async () => {
    const list = await bosun('templates', 'list');
    expect(list.exitCode).toBe(0);
    expect(list.json.templates.map((t: { id: string }) => t.id)).toContain('web-scraping');
    const show = await bosun('templates', 'show', 'web-scraping');
    expect(show.json).toMatchObject({
      id: 'web-scraping',
      kind: 'template',
      params: expect.arrayContaining([expect.objectContaining({ name: 'target_url', required: true })]),
    });
    const good = await bosun(
      'templates',
      'validate',
      file(
        'good.yaml',
        'id: tiny\nversion: 1\ntitle: Tiny\ndescription: one step\nsteps:\n  - { key: a, title: A, skill: python.run }\n',
      ),
    );
    expect(good.json).toMatchObject({ valid: true, id: 'tiny', steps: ['a'] });
    const bad = await bosun(
      'templates',
      'validate',
      file(
        'bad.yaml',
        'id: tiny\nversion: 1\ntitle: Tiny\ndescription: d\nsteps:\n  - { key: a, title: A, skill: nope.nope }\n',
      ),
    );
    expect(bad.exitCode).toBe(2);
    expect(bad.json.error).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining("unknown skill 'nope.nope'"),
    });
  });

  it('runs a project from a template through execution, hold and cancel', async () => {
    const brief = file('brief.md', '# Scrape the catalogue\nFor the pricing study.');
    const created = await bosun(
      'project',
      'new',
      'shop',
      '--template',
      'web-scraping',
      '--client',
      'Acme',
      '--brief',
      brief,
      '--param',
      'target_url=https://shop.example.com/',
      '--param',
      'item=product',
      '--param',
      'max_pages=5',
      '--budget-hours',
      '12',
    );
    expect(created.exitCode).toBe(0);
    expect(created.json.project).toMatchObject({
      slug: 'shop',
      status: 'planning',
      templateId: 'web-scraping',
      client: 'Acme',
      params: { max_pages: 5 },
    });
    expect(created.json.tasks[0]).toMatchObject({ ref: 'shop#1', key: 'survey', status: 'ready' });

    const dup = await bosun('project', 'new', 'shop');
    expect(dup.exitCode).toBe(4);
    expect(dup.json.error.code).toBe('CONFLICT');
    const missing = await bosun('project', 'new', 'shop2', '--template', 'web-scraping', '--param', 'item=product');
    expect(missing.exitCode).toBe(2);
    expect(missing.json.error.message).toContain('missing required param target_url');
    expect((await bosun('project', 'list')).json.projects.map((p: { slug: string }) => p.slug)).toEqual(['shop']);

    expect((await bosun('project', 'advance', 'shop')).json).toEqual({ slug: 'shop', status: 'execution' });
    const claimed = await bosun('task', 'claim', '--project', 'shop', '--as', 'tester');
    expect(claimed.json.claimed.task).toMatchObject({ ref: 'shop#1', status: 'working', claimedBy: 'tester' });

    const badResult = await bosun('task', 'complete', 'shop#1', '--result', file('bad.json', { status: 'completed' }));
    expect(badResult.exitCode).toBe(2);
    expect(badResult.json.error.message).toMatch(/invalid result envelope: summary/);
    const survey = { selector: '.product', fields: { name: 'h2::text' } };
    const result = file('result.json', done('robots.txt allows /catalogue', { item: survey }));
    const completed = await bosun('task', 'complete', 'shop#1', '--result', result);
    expect(completed.json).toMatchObject({ alreadyCompleted: false, task: { status: 'completed' } });
    expect((await bosun('task', 'complete', 'shop#1', '--result', result)).json.alreadyCompleted).toBe(true);

    const extract = await bosun('task', 'show', 'shop#2');
    // web.scrape runs by itself: once the survey is done, the extraction is queued for the web agent.
    expect(extract.json.task).toMatchObject({ status: 'submitted', key: 'extract', agentId: 'web' });
    expect(extract.json.inputs.item).toEqual(survey);
    expect(extract.json.events.map((e: { kind: string }) => e.kind)).toContain('task.status');

    await bosun('task', 'claim', 'shop#2');
    const failed = await bosun('task', 'fail', 'shop#2', '--reason', 'blocked by a captcha', '--retryable');
    expect(failed.json.task).toMatchObject({ status: 'failed', statusReason: 'blocked by a captcha' });
    const downstream = await bosun('task', 'list', '--project', 'shop', '--status', 'canceled');
    expect(downstream.json.tasks.map((t: { key: string }) => t.key)).toEqual(
      expect.arrayContaining(['clean', 'store', 'handover']),
    );
    expect((await bosun('task', 'retry', 'shop#2')).json.task.status).toBe('ready');
    expect((await bosun('task', 'list', '--project', 'shop', '--status', 'canceled')).json.tasks).toEqual([]);

    const added = await bosun(
      'task',
      'add',
      'shop',
      'Check prices by hand',
      '--skill',
      'research.web',
      '--after',
      '#1',
      '--input',
      'currency=EUR',
      '--priority',
      '5',
      '--manual',
    );
    expect(added.json.task).toMatchObject({ ref: 'shop#9', status: 'ready', priority: 5, inputs: { currency: 'EUR' } });
    const unknownSkill = await bosun('task', 'add', 'shop', 'Bad', '--skill', 'telepathy');
    expect(unknownSkill.exitCode).toBe(2);
    expect((await bosun('task', 'claim', '--project', 'shop')).json.claimed.task.ref).toBe('shop#9');

    const show = await bosun('project', 'show', 'shop');
    expect(show.json).toMatchObject({
      project: { slug: 'shop', status: 'execution' },
      progress: { total: 9, completed: 1 },
    });
    // The retried extraction went back to the web agent's queue (web.scrape runs by itself): it is
    // not offered for claiming; the queue is named instead, and the person's task is already claimed.
    expect(show.json.nextActions.join('\n')).toMatch(/\d+ task\(s\) queued for their agents: keep a worker running/);
    expect(show.json.nextActions.join('\n')).not.toContain('claim shop#2 ');

    expect((await bosun('project', 'hold', 'shop', '--reason', 'waiting for the client')).json).toMatchObject({
      status: 'on_hold',
      heldFrom: 'execution',
    });
    expect((await bosun('project', 'advance', 'shop')).json.error.hint).toContain('resume');
    expect((await bosun('project', 'resume', 'shop')).json.status).toBe('execution');
    const note = await bosun('project', 'note', 'shop', 'Scrape at night only', '--kind', 'decision');
    expect(note.json.note).toMatchObject({ kind: 'decision', body: 'Scrape at night only' });
    const draft = await bosun('project', 'doc', 'shop');
    expect(draft.json).toMatchObject({ draft: true, document: expect.stringContaining('Scrape at night only') });
    const cancelled = await bosun('project', 'cancel', 'shop', '--reason', 'client went elsewhere');
    expect(cancelled.json.status).toBe('cancelled');
    const doc = await bosun('project', 'doc', 'shop');
    expect(doc.json).toMatchObject({ draft: false, document: expect.stringContaining('# Scrape the catalogue') });
  });

  it('archives a project and reopens it', async () => {
    await bosun('project', 'new', 'tiny');
    await bosun('task', 'add', 'tiny', 'Only task', '--manual');
    await bosun('project', 'advance', 'tiny');
    await bosun('task', 'claim', 'tiny#1');
    await bosun('task', 'complete', 'tiny#1', '--result', file('tiny.json', done('did it')));
    expect((await bosun('project', 'advance', 'tiny')).json.status).toBe('documentation');
    const archived = await bosun('project', 'archive', 'tiny');
    expect(archived.json).toMatchObject({ status: 'archived', archive: { counts: { task: 1, run: 1 } } });
    expect(fs.existsSync(archived.json.archive.bundlePath)).toBe(true);
    expect((await bosun('task', 'list', '--project', 'tiny')).json.tasks).toEqual([]);
    expect((await bosun('project', 'reopen', 'tiny')).json).toEqual({ slug: 'tiny', status: 'documentation' });
    expect((await bosun('task', 'show', 'tiny#1')).json.task).toMatchObject({
      status: 'completed',
      result: { summary: 'did it' },
    });
  });

  it('routes a task and runs it in the foreground', async () => {
    installStewardAgent(home.paths);
    await bosun('project', 'new', 'fg');
    const added = await bosun(
      'task',
      'add',
      'fg',
      'Make sample data',
      '--skill',
      'data.synthetic',
      '--input-file',
      file('in.json', { rows: 4 }),
    );
    expect(added.json.task).toMatchObject({
      ref: 'fg#1',
      status: 'ready',
      agentId: 'steward',
      route: { automatic: true },
    });
    const routed = await bosun('task', 'route', 'fg#1');
    expect(routed.json).toMatchObject({
      task: 'fg#1',
      decision: { agentId: 'steward', skillId: 'data.synthetic' },
      queued: false,
    });
    expect(routed.json.decision.reasons).toContain('skill data.synthetic was requested');
    await bosun('project', 'advance', 'fg');
    const ran = await bosun('task', 'run', 'fg#1');
    expect(ran.exitCode).toBe(0);
    expect(ran.json).toMatchObject({
      task: { status: 'completed', result: { outputs: { rows: 4 } } },
      envelope: { summary: '4 rows by data.synthetic' },
    });
    const show = await runBosun(['task', 'show', 'fg#1'], {
      home: home.paths.home,
      env: { BOSUN_DATABASE_URL: db.url },
    });
    expect(show.stdout).toMatch(
      /route: steward \(data\.synthetic\), runs automatically\n {2}- skill data\.synthetic was requested/,
    );
    expect(show.stdout).toMatch(/runners-up:\n {4}data-engineering/);

    // Issue 11: a task that ends failed (here a script past its time limit) exits non-zero.
    await bosun(
      'task',
      'add',
      'fg',
      'Loop forever',
      '--skill',
      'python.run',
      '--input-file',
      file('loop.json', { code: 'while True:\n    pass', timeoutSeconds: 1 }),
    );
    const timedOut = await bosun('task', 'run', 'fg#2');
    expect(timedOut.json.envelope.error).toMatchObject({ code: 'TIMEOUT' });
    expect(timedOut.exitCode).toBe(6);
  });

  it('prints a readable table without --json', async () => {
    const res = await runBosun(['templates', 'list'], { home: home.paths.home });
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toMatch(/^id\s+version\s+title/m);
  });
});
