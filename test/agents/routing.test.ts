import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeRoute,
  recordRunOutcome,
  routeTask,
  type AgentRegistry,
  type RouteTask,
} from '../../src/agents/index.js';
import { agentsFixture, type AgentsFixture } from './fixtures.js';

interface Case {
  task: RouteTask;
  agent: string | null;
  skill?: string;
  /** Substrings the winner's reasons (or the waiting reason) must contain. */
  because: string[];
  automatic?: boolean;
}

const yt = 'https://www.youtube.com/watch?v=dQw4w9WgXcQ';

/** What a freelance data engineer actually asks for, with where it must go and why. */
const cases: Case[] = [
  {
    task: { title: 'Transcribe the keynote', inputs: { url: yt } },
    agent: 'youtube',
    skill: 'youtube.transcript',
    because: ['skill youtube.transcript matches a youtube.com URL', 'text matches “transcribe”'],
    automatic: true,
  },
  {
    task: { title: 'Summarise this talk', inputs: { url: 'https://youtu.be/abc123' } },
    agent: 'youtube',
    skill: 'youtube.summary',
    because: ['matches a youtu.be URL', '“summarise”'],
    automatic: true,
  },
  {
    task: { title: `Get the chapters and duration of ${yt}` },
    agent: 'youtube',
    skill: 'youtube.metadata',
    because: ['matches a youtube.com URL', '“chapters”, “duration”'],
  },
  {
    task: { title: 'Key points of the lecture', inputs: { video: 'https://m.youtube.com/watch?v=q' } },
    agent: 'youtube',
    skill: 'youtube.summary',
    because: ['“key”, “points”, “lecture”'],
  },
  {
    task: { title: 'Subtitles of the webinar as text', inputs: { url: yt } },
    agent: 'youtube',
    skill: 'youtube.transcript',
    because: ['“subtitles”'],
  },
  {
    task: { title: 'Run the nightly ETL script', inputs: { file: 'etl.py', args: ['--date', '2024-01-01'] } },
    agent: 'python',
    skill: 'python.run',
    because: ['skill python.run matches a .py file (etl.py)'],
    automatic: true,
  },
  {
    task: { title: 'Execute this snippet', inputs: { code: 'print(1)' } },
    agent: 'python',
    skill: 'python.run',
    because: ['text matches “execute”, “snippet”'],
  },
  {
    task: { title: 'Compute summary statistics with a quick Python script' },
    agent: 'python',
    skill: 'python.run',
    because: ['“python”, “script”'],
  },
  {
    task: { title: 'Extract the text from the scanned invoice', inputs: { file: 'scans/invoice-2024-03.pdf' } },
    agent: 'documents',
    skill: 'ocr.extract',
    because: ['skill ocr.extract matches a PDF (invoice-2024-03.pdf)', '“scanned”'],
    automatic: true,
  },
  {
    task: { title: 'Pull the line items and totals out of the invoice', inputs: { file: 'invoice.pdf' } },
    agent: 'documents',
    skill: 'doc.structure',
    because: ['matches a PDF (invoice.pdf)', '“line”, “items”, “totals”'],
  },
  {
    task: { title: 'OCR the receipts', inputs: { images: ['r1.jpg', 'r2.jpg'] } },
    agent: 'documents',
    skill: 'ocr.extract',
    because: ['matches an image (r1.jpg)'],
  },
  {
    task: { title: 'Scrape product listings and prices', inputs: { url: 'https://shop.example.com/catalog' } },
    agent: 'web',
    skill: 'web.scrape',
    because: ['matches a web URL (shop.example.com)', 'task tier'],
  },
  {
    task: { title: 'Crawl the job board and collect every posting from https://jobs.example.org' },
    agent: 'web',
    skill: 'web.scrape',
    because: ['a web URL (jobs.example.org)', '“crawl”'],
  },
  {
    task: { title: 'Research competitor pricing', inputs: { url: 'https://competitor.example.com/pricing' } },
    agent: 'research',
    skill: 'research.web',
    because: ['a web URL (competitor.example.com)', '“research”'],
  },
  {
    task: { title: 'What do the docs say about rate limits?', inputs: { url: 'https://docs.example.com/api' } },
    agent: 'research',
    skill: 'research.web',
    because: ['a web URL (docs.example.com)'],
  },
  {
    // No URL: the question is for the documentation libraries.
    task: { title: 'What do the docs say about snapshots and how they expire?' },
    agent: 'research',
    skill: 'research.docs',
    because: ['“docs”'],
  },
  {
    task: { title: 'Load the CRM export into the warehouse', inputs: { file: 'crm_export.csv' } },
    agent: 'data-engineering',
    skill: 'data.ingest',
    because: ['matches a data file (crm_export.csv)', 'domain tier'],
  },
  {
    task: { title: 'Clean and deduplicate the customer table', inputs: { file: 'customers.parquet' } },
    agent: 'data-engineering',
    skill: 'data.transform',
    because: ['“deduplicate”'],
  },
  {
    task: { title: 'Check the orders file for nulls and duplicate ids', inputs: { file: 'orders.csv' } },
    agent: 'data-engineering',
    skill: 'data.quality',
    because: ['“nulls”'],
  },
  {
    task: { title: 'Generate 10,000 fake customers for the demo' },
    agent: 'data-engineering',
    skill: 'data.synthetic',
    because: ['“fake”'],
  },
  {
    task: { title: 'Tidy up', tags: ['data-quality'] },
    agent: 'data-engineering',
    skill: 'data.quality',
    because: ['tag data-quality matches'],
  },
  {
    task: { title: 'Train a churn classifier', inputs: { file: 'customers.csv' } },
    agent: 'ml',
    skill: 'ml.train',
    because: ['matches a data file (customers.csv)', '“churn”, “classifier”'],
  },
  {
    task: {
      title: 'Evaluate the model on the test set and report precision and recall',
      inputs: { notebook: 'eval.ipynb' },
    },
    agent: 'ml',
    skill: 'ml.evaluate',
    because: ['matches a notebook (eval.ipynb)'],
  },
  {
    task: { title: 'Plot monthly revenue as a bar chart', inputs: { file: 'revenue.csv' } },
    agent: 'viz',
    skill: 'viz.chart',
    because: ['“plot”', '“chart”'],
  },
  {
    task: { title: 'Deploy the API to Kubernetes' },
    agent: 'infra',
    skill: 'infra.deploy',
    because: ['“deploy”, “api”, “kubernetes”'],
  },
  {
    task: { title: 'Set up alerts when the nightly job fails' },
    agent: 'infra',
    skill: 'infra.monitor',
    because: ['“alerts”'],
  },
  {
    task: { title: 'Run migrate.sql against staging', inputs: { file: 'migrate.sql' } },
    agent: 'sql',
    skill: 'sql.query',
    because: ['matches a .sql file (migrate.sql)'],
  },
  {
    task: { title: 'How many orders per customer last month?', tags: ['sql'] },
    agent: 'sql',
    skill: 'sql.query',
    because: ['tag sql matches'],
  },
  {
    task: { title: 'Write the README for the pipeline' },
    agent: 'research',
    skill: 'docs.write',
    because: ['“readme”'],
  },
  {
    task: { title: 'Draft the project report for the client' },
    agent: 'research',
    skill: 'docs.write',
    because: ['“draft”'],
  },
  {
    task: { title: 'Run the test suite and report failures' },
    agent: 'testing',
    skill: 'test.run',
    because: ['“suite”'],
  },
  {
    task: { title: 'Milestone: all sources are loaded' },
    agent: 'flow',
    skill: 'flow.join',
    because: ['“milestone”'],
    automatic: true,
  },
  {
    task: { title: 'Join the branches', skill: 'flow.join', inputs: { rows: 3 } },
    agent: 'flow',
    skill: 'flow.join',
    because: ['skill flow.join was requested'],
  },
  {
    task: { title: 'Anything at all', skill: 'python.run', inputs: { code: 'print(1)' } },
    agent: 'python',
    skill: 'python.run',
    because: ['skill python.run was requested'],
  },
  // An explicit skill wins even where the input would point elsewhere.
  {
    task: { title: 'Look into this', skill: 'research.web', inputs: { url: yt } },
    agent: 'research',
    skill: 'research.web',
    because: ['skill research.web was requested'],
  },
  {
    task: { title: 'Feed the cat' },
    agent: null,
    because: [
      'no agent skill matches the task: no skill requested, no input of a kind skills accept, and no tag or text match',
    ],
  },
  {
    task: { title: 'Frobnicate', skill: 'nonexistent.skill' },
    agent: null,
    because: ["no agent offers skill 'nonexistent.skill'"],
  },
  {
    task: { title: 'Handle it', inputs: { attachment: 'notes.docx' } },
    agent: null,
    because: ['no agent skill matches the task'],
  },
];

describe('routing', () => {
  let f: AgentsFixture;
  let registry: AgentRegistry;
  beforeAll(async () => {
    f = await agentsFixture();
    registry = await f.open();
  });
  afterAll(async () => {
    await f.cleanup();
  });

  it.each(cases.map((c) => [c.task.title, c] as const))('%s', async (_title, c) => {
    const decision = await routeTask(registry, c.task);
    expect(decision.agentId, describeRoute(decision)).toBe(c.agent);
    const explained = decision.agentId ? decision.reasons.join('; ') : decision.waitingReason!;
    for (const because of c.because) expect(explained).toContain(because);
    if (c.agent === null) {
      expect(decision.skillId).toBeNull();
      expect(decision.automatic).toBe(false);
      return;
    }
    expect(decision.skillId).toBe(c.skill);
    const automatic = registry.get(c.agent).manifest.executor.kind !== 'assistant';
    expect(decision.automatic).toBe(automatic);
    if (c.automatic !== undefined) expect(decision.automatic).toBe(c.automatic);
    // Assistant tasks wait to be claimed, and say so.
    if (!automatic) expect(decision.waitingReason).toMatch(/is an assistant: the task waits to be claimed/);
    // The runners-up never outrank the winner.
    for (const r of decision.runnersUp) expect(r.score).toBeLessThanOrEqual(decision.score);
  });

  it('covers at least 30 tasks and every built-in agent', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    const routedTo = new Set(cases.map((c) => c.agent));
    for (const a of registry.list())
      if (a.manifest.id !== 'gpu') expect(routedTo, a.manifest.id).toContain(a.manifest.id);
  });

  it('sends CUDA work to the GPU agent with or without a GPU: compiling and OpenCL need none, a CUDA run checks itself', async () => {
    const decision = await routeTask(registry, {
      title: 'Compile and benchmark the matrix multiplication kernel',
      inputs: { file: 'matmul.cu' },
    });
    expect(decision.agentId, describeRoute(decision)).toBe('gpu');
    expect(decision.automatic).toBe(true);
    expect(decision.reasons).toContain(`skill ${decision.skillId} matches a .cu file (matmul.cu)`);
    const compile = await routeTask(registry, {
      title: 'How many registers does the kernel use and what is its occupancy?',
      inputs: { file: 'matmul.cu' },
    });
    expect(compile.skillId, describeRoute(compile)).toBe('gpu.compile');
  });

  it('is deterministic', async () => {
    const task = { title: 'Clean and deduplicate the customer table', inputs: { file: 'customers.parquet' } };
    const first = await routeTask(registry, task);
    for (let i = 0; i < 5; i++) expect(await routeTask(registry, task)).toEqual(first);
  });

  it('rejects a task without a title', async () => {
    await expect(routeTask(registry, { title: '', inputs: {} })).rejects.toThrow(
      /invalid task to route: title: a task needs a title/,
    );
  });
});

describe('overlapping skills', () => {
  let f: AgentsFixture;
  let registry: AgentRegistry;
  /** A domain-tier agent whose one skill reads exactly like youtube.transcript. */
  const mirror = (id: string, tier: string, extra = '') => `id: ${id}
name: Video notes
tier: ${tier}
version: 1.0.0
description: Reads online videos into transcripts.
executor: { kind: assistant }
maxConcurrency: 2
${extra}skills:
  - id: ${id}.transcript
    name: Video transcript
    description: Timestamped transcript of a video from its captions.
    tags: [youtube, video, transcript]
    accepts: [youtube-url]
`;
  // Only the input speaks: no word of the title matches any skill, so the skills tie on relevance.
  const task = { title: 'Look at this', inputs: { url: yt } };
  const youtubeSkills = ['youtube.metadata', 'youtube.summary', 'youtube.transcript'];

  beforeAll(async () => {
    f = await agentsFixture();
    f.addUserManifest('notes.yaml', mirror('notes', 'domain'));
    f.addUserManifest('zz-twin.yaml', mirror('zz-twin', 'domain'));
    f.addUserManifest('aa-twin.yaml', mirror('aa-twin', 'domain'));
    f.addUserManifest(
      'blocked.yaml',
      mirror('blocked', 'task', 'requires:\n  commands:\n    - { name: bosun-no-such-tool-y }\n'),
    );
    registry = await f.open();
  });
  afterAll(async () => {
    await f.cleanup();
  });

  it('both match the same input: the more specialised tier wins when they are otherwise equal', async () => {
    const d = await routeTask(registry, task);
    expect(d.agentId).toBe('youtube');
    expect(d.score - d.runnersUp.find((r) => r.agentId === 'notes')!.score).toBe(3);
    const notes = d.runnersUp.find((r) => r.agentId === 'notes')!;
    expect(notes.reasons).toContain('skill notes.transcript matches a youtube.com URL');
    expect(notes.reasons).toContain('domain tier (specialised before general)');
  });

  it('an exact tie goes to the agent id that sorts first, whatever the file order', async () => {
    // With youtube and notes busy, the twins lead, equal in every respect but their ids.
    const d = await routeTask(registry, task, { load: { youtube: 4, notes: 2 } });
    expect(d.agentId).toBe('aa-twin');
    expect(d.runnersUp.find((r) => r.agentId === 'zz-twin')!.score).toBe(d.score);
  });

  it('an unavailable agent is skipped, with the reason, even when it scores best', async () => {
    const d = await routeTask(registry, task);
    const blocked = d.runnersUp.find((r) => r.agentId === 'blocked')!;
    expect(blocked.score).toBeGreaterThan(0);
    expect(blocked.reasons.at(-1)).toBe('skipped, unavailable: bosun-no-such-tool-y missing');
    expect(d.agentId).not.toBe('blocked');
  });

  it('a track record outweighs tier between equally relevant skills, and is explained', async () => {
    for (const skillId of youtubeSkills) {
      for (let i = 0; i < 3; i++)
        await recordRunOutcome(f.db.pool, { agentId: 'youtube', skillId, ok: false, durationMs: 1000 });
    }
    for (let i = 0; i < 5; i++)
      await recordRunOutcome(f.db.pool, { agentId: 'notes', skillId: 'notes.transcript', ok: true, durationMs: 500 });
    registry.invalidateStats();
    const d = await routeTask(registry, task);
    expect(d.agentId).toBe('notes');
    expect(d.reasons).toContain('5 of 5 past runs succeeded');
    expect(d.runnersUp.find((r) => r.agentId === 'youtube')!.reasons).toContain('0 of 3 past runs succeeded');
    await f.db.pool.query('DELETE FROM bosun.agent_skill_stats');
    registry.invalidateStats();
  });

  it('a busy agent gives way to an idle one, and says so', async () => {
    const idle = await routeTask(registry, task);
    expect(idle.agentId).toBe('youtube');
    const busy = await routeTask(registry, task, { load: { youtube: 4 } });
    expect(busy.agentId).not.toBe('youtube');
    const youtube = busy.runnersUp.find((r) => r.agentId === 'youtube')!;
    expect(youtube.reasons).toContain('busy: 4 of 4 slots in use');
    const some = await routeTask(registry, task, { load: { youtube: 1 } });
    expect(some.agentId).toBe('youtube');
    expect(some.reasons).toContain('load: 1 of 4 slots in use');
    expect(some.score).toBeLessThan(idle.score);
  });
});

describe('track record', () => {
  let f: AgentsFixture;
  beforeAll(async () => {
    f = await agentsFixture();
  });
  afterAll(async () => {
    await f.cleanup();
  });

  it('is counted per agent × skill with its p50 duration, and read into the reasons', async () => {
    const registry = await f.open();
    await recordRunOutcome(f.db.pool, {
      agentId: 'youtube',
      skillId: 'youtube.transcript',
      ok: true,
      durationMs: 3000,
    });
    const stats = await recordRunOutcome(f.db.pool, {
      agentId: 'youtube',
      skillId: 'youtube.transcript',
      ok: true,
      durationMs: 1000,
    });
    expect(stats).toMatchObject({ runs: 2, successes: 2, p50DurationMs: 1000 });
    const third = await recordRunOutcome(f.db.pool, {
      agentId: 'youtube',
      skillId: 'youtube.transcript',
      ok: false,
      durationMs: 2000,
    });
    expect(third).toMatchObject({ runs: 3, successes: 2, p50DurationMs: 2000 });
    await f.db.pool.query(`UPDATE bosun.agent_skill_stats SET runs = 2, successes = 2`);
    registry.invalidateStats();
    const d = await routeTask(registry, { title: 'Transcribe the keynote', inputs: { url: yt } });
    expect(describeRoute(d)).toMatch(
      /^youtube: skill youtube\.transcript matches a youtube\.com URL; .*; 2 of 2 past runs succeeded$/,
    );
  });

  it("counts a worker's concurrent outcomes exactly, with their durations in order", async () => {
    const registry = await f.open();
    await f.db.pool.query('DELETE FROM bosun.agent_skill_stats');
    const durations = Array.from({ length: 40 }, (_, i) => 100 + i);
    await Promise.all(
      durations.map((durationMs, i) =>
        registry.recordOutcome({
          agentId: 'youtube',
          skillId: i % 4 ? 'youtube.transcript' : 'youtube.metadata',
          ok: i % 5 !== 0,
          durationMs,
        }),
      ),
    );
    const rows = await f.db.pool.query<{
      skill_id: string;
      runs: number;
      successes: number;
      recent_durations_ms: number[];
      p50_duration_ms: number;
    }>(
      `SELECT skill_id, runs, successes, recent_durations_ms, p50_duration_ms FROM bosun.agent_skill_stats ORDER BY skill_id`,
    );
    const metadata = durations.filter((_, i) => !(i % 4));
    const transcript = durations.filter((_, i) => i % 4);
    const successes = (ds: number[]) => ds.filter((d) => (d - 100) % 5 !== 0).length;
    expect(rows.rows).toEqual([
      {
        skill_id: 'youtube.metadata',
        runs: 10,
        successes: successes(metadata),
        recent_durations_ms: metadata,
        p50_duration_ms: metadata[4],
      },
      {
        skill_id: 'youtube.transcript',
        runs: 30,
        successes: successes(transcript),
        recent_durations_ms: transcript,
        p50_duration_ms: transcript[14],
      },
    ]);
    await expect(
      registry.recordOutcome({ agentId: 'youtube', skillId: 'youtube.transcript', ok: true, durationMs: -1 }),
    ).rejects.toThrow(/invalid run outcome/);
    await f.db.pool.query('DELETE FROM bosun.agent_skill_stats');
  });

  it('refuses a run of a skill the registry does not have', async () => {
    await f.open();
    await expect(
      recordRunOutcome(f.db.pool, { agentId: 'youtube', skillId: 'youtube.dance', ok: true, durationMs: 5 }),
    ).rejects.toThrow("agent 'youtube' has no skill 'youtube.dance' in the registry");
    await expect(
      recordRunOutcome(f.db.pool, { agentId: 'youtube', skillId: 'youtube.metadata', ok: true, durationMs: -1 }),
    ).rejects.toThrow(/invalid run outcome: durationMs/);
  });
});
