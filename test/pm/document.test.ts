import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addNote,
  advanceProject,
  claimTask,
  completeTask,
  createProject,
  failTask,
  planTasks,
  type PmContext,
} from '../../src/pm/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { done, inlineArtifact, pmContext, shippedTemplateSet, tempHome, uniqueSlug } from './helpers.js';

describe('the project document', () => {
  const home = tempHome();
  let db: TestDatabase;
  let pm: PmContext;
  beforeAll(async () => {
    db = await createTestDatabase();
    pm = pmContext(db);
  });
  afterAll(async () => {
    await db.drop();
    home.remove();
  });

  it('is written from the history on entering documentation', async () => {
    const slug = uniqueSlug('doc');
    await createProject(pm, shippedTemplateSet(), {
      slug,
      name: 'Orders pipeline',
      client: 'Acme',
      brief: 'Load the daily orders export into the warehouse.',
      budgetHours: 10,
      hourlyRate: 90,
    });
    await planTasks(pm, slug, [
      { key: 'extract', title: 'Extract orders', skill: 'data.ingest', estimateMinutes: 60 },
      { key: 'load', title: 'Load orders', skill: 'sql.query', dependsOn: ['extract'] },
      {
        key: 'dashboard',
        title: 'Build the dashboard',
        skill: 'viz.chart',
        dependsOn: ['extract'],
        trigger: 'all_done',
      },
    ]);
    await advanceProject(pm, slug);
    await claimTask(pm, `${slug}#1`, 'me');
    await completeTask(
      pm,
      `${slug}#1`,
      done(
        'Extracted 1,204 orders from the SFTP drop',
        { rows: 1204 },
        { artifacts: [inlineArtifact('orders.csv', 'text/csv', 'id\n1\n')] },
      ),
      { artifactsDir: home.paths.artifacts },
    );
    await addNote(pm, {
      project: slug,
      kind: 'decision',
      body: 'Use upserts keyed on order id, because the export repeats orders.',
    });
    await addNote(pm, { project: slug, kind: 'issue', body: 'The SFTP host rotates its key monthly.' });
    await claimTask(pm, `${slug}#2`, 'me');
    await failTask(pm, `${slug}#2`, { reason: 'warehouse credentials expired' });
    await claimTask(pm, `${slug}#3`, 'me');
    await completeTask(pm, `${slug}#3`, done('Dashboard with daily totals'), { artifactsDir: home.paths.artifacts });

    const project = await advanceProject(pm, slug);
    const doc = project.document!;
    expect(doc).toMatch(/^# Orders pipeline/);
    expect(doc).toContain(`**Project:** ${slug} for Acme`);
    expect(doc).toContain('## Goal\n\nLoad the daily orders export into the warehouse.');
    expect(doc).toContain(`- **${slug}#1 Extract orders** (data.ingest) — Extracted 1,204 orders from the SFTP drop`);
    expect(doc).toContain('Dashboard with daily totals');
    expect(doc).toMatch(
      new RegExp(`\\| ${slug}#1 \\| orders.csv \\| text/csv \\| 5 B \\| [0-9a-f]{12} \\| \\(inline\\) \\|`),
    );
    expect(doc).toContain('## Decisions\n\n- Use upserts keyed on order id');
    expect(doc).toMatch(/## Time spent\n\n\| task \| title \| status \| attempts \| time \| estimate \|/);
    expect(doc).toMatch(new RegExp(`\\| ${slug}#1 \\| Extract orders \\| completed \\| 1 \\| [^|]+ \\| 60 min \\|`));
    expect(doc).toMatch(/Total: .* of a 10 h budget/);
    expect(doc).toContain(`## Open issues\n\n- ${slug}#2 Load orders: failed — warehouse credentials expired`);
    expect(doc).toContain('The SFTP host rotates its key monthly.');
    expect(doc).toMatch(
      /## Timeline\n\n- \d{4}-\d\d-\d\d created\n- \d{4}-\d\d-\d\d planning → execution\n- \d{4}-\d\d-\d\d execution → documentation/,
    );
  });
});
