import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAgent, openAgentRegistry, type AgentRegistry } from '../../src/agents/index.js';
import { bosunPaths, silentLogger, type BosunPaths } from '../../src/core/index.js';
import { addLibrary, libraryNames, openLakeSearcher, syncLibrary } from '../../src/docs/index.js';
import { openLake, type Lake } from '../../src/lake/index.js';
import { addNote, advanceProject, createProject, planTasks, projectReader } from '../../src/pm/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { done, doneByHand, inlineArtifact, shippedTemplateSet } from '../pm/helpers.js';
import { startOpenAIStub, type OpenAIStub } from './openai-stub.js';

interface Source {
  n: number;
  id: string;
  citation: string;
  source: string;
  library?: string;
  version?: string;
  path?: string;
  heading_path?: string[];
  url?: string;
}
interface ReportOutputs {
  mode: string;
  report: string;
  sources: Source[];
  subQueries: { query: string; kind: string; libraries?: string[]; found: number; sources: number[] }[];
  removedSentences?: string[];
  pages?: { url: string; error?: string; sections: number }[];
}

/** Generated pages: two on the lake, one that must never be cited, and one in a second library. */
const LAKE_PAGES: Record<string, string> = {
  'snapshots.md': `# Snapshots

Every commit of the catalog creates a snapshot with an increasing snapshot id.

## Expiring snapshots

Old snapshots are removed with the expire_snapshots procedure, which keeps the snapshots newer
than the retention period and deletes data files no remaining snapshot references.
`,
  'deletes.md': `# Deletes

## Delete files

A delete writes positional delete files in Parquet: each row names a data file and a row
position. Readers merge delete files with their data files when they scan a table.
`,
  'cooking.md': `# Pasta

Boil the water, salt it, and cook the pasta for nine minutes.
`,
};
const MCP_PAGES: Record<string, string> = {
  'tools.md': `# Tools

## Calling tools

A client invokes a tool with tools/call; a failing tool answers with isError set to true and
the error text in its content.
`,
};

function writePages(dir: string, pages: Record<string, string>): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(pages)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('the research agent', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  let lake: Lake;
  let home: string;
  let paths: BosunPaths;
  let registry: AgentRegistry;
  let stub: OpenAIStub;
  let n = 0;

  const run = async (
    skillId: string,
    input: Record<string, unknown>,
    options: { registry?: AgentRegistry; scope?: string; projects?: boolean } = {},
  ) => {
    const workDir = fs.mkdtempSync(path.join(home, `run-${++n}-`));
    const envelope = await executeAgent({
      registry: options.registry ?? registry,
      agentId: 'research',
      skillId,
      input,
      workDir,
      noCache: true,
      ...(options.scope ? { scope: options.scope } : {}),
      ...(options.projects === false ? {} : { projects: projectReader(db.pool) }),
    });
    return { envelope, outputs: envelope.outputs as unknown as ReportOutputs, workDir };
  };

  /** Reads a chunk back through the searcher, independently of the agent: it must exist. */
  const chunkExists = async (library: string, chunkId: string) => {
    const searcher = await openLakeSearcher({ pool: db.pool, lake, accessLog: false });
    try {
      const read = await searcher.read({ library, pathOrChunkId: chunkId });
      return read.chunk_ids.includes(chunkId) && read.text.length > 0;
    } catch {
      return false;
    } finally {
      await searcher.close();
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-research-'));
    paths = bosunPaths(home);
    lake = await openLake({ pool: db.pool, dataPath: paths.lake });
    const deps = { pool: db.pool, lake, workDir: home };
    await addLibrary(db.pool, {
      name: 'lakedocs',
      input: writePages(path.join(home, 'src', 'lake'), LAKE_PAGES),
      source: {},
    });
    await addLibrary(db.pool, {
      name: 'mcpdocs',
      input: writePages(path.join(home, 'src', 'mcp'), MCP_PAGES),
      source: {},
    });
    await syncLibrary(deps, 'lakedocs');
    await syncLibrary(deps, 'mcpdocs');
    registry = await openAgentRegistry({ pool: db.pool, paths, endpoints: {}, lake: () => Promise.resolve(lake) });
    stub = await startOpenAIStub();
  });
  afterAll(async () => {
    await stub?.close();
    await db?.drop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('research.docs: an extractive report whose every citation is a real chunk of the right page', async () => {
    const { envelope, outputs } = await run('research.docs', {
      question: 'How are snapshots expired, and how does lakedocs write delete files?',
    });
    expect(envelope.status, envelope.error?.message).toBe('completed');
    expect(outputs.mode).toBe('extractive');
    // Deterministic decomposition: the question, its two clauses, the library it names.
    expect(outputs.subQueries.map((q) => [q.kind, q.query, q.libraries ?? null])).toEqual(
      expect.arrayContaining([
        ['question', 'How are snapshots expired, and how does lakedocs write delete files', null],
        ['clause', 'How are snapshots expired', null],
        ['clause', 'how does lakedocs write delete files', null],
        ['library', 'How are snapshots expired, and how does lakedocs write delete files', ['lakedocs']],
      ]),
    );
    const paths = outputs.sources.map((s) => `${s.library}:${s.path}`);
    expect(paths).toContain('lakedocs:snapshots.md');
    expect(paths).toContain('lakedocs:deletes.md');
    expect(paths).not.toContain('lakedocs:cooking.md');
    // De-duplicated: no chunk is listed twice.
    expect(new Set(outputs.sources.map((s) => s.id)).size).toBe(outputs.sources.length);

    // The searcher returns a run of adjacent chunks as one hit, cited by where the run starts.
    const expiring = outputs.sources.find((s) => s.path === 'snapshots.md')!;
    expect(expiring.citation).toBe(`lakedocs@${expiring.version} snapshots.md › Snapshots`);
    const report = fs.readFileSync(outputs.report, 'utf8');
    expect(report).toContain('expire_snapshots procedure');
    expect(report).toContain(`${expiring.citation} (\`${expiring.id}\`)`);
    expect(report).not.toContain('pasta');
    for (const s of outputs.sources) {
      expect(report).toContain(s.id);
      expect(await chunkExists(s.library!, s.id), `${s.citation} ${s.id}`).toBe(true);
    }
    // The clause about deletes is answered by the deletes page, first.
    const deletesClause = outputs.subQueries.find((q) => q.query === 'how does lakedocs write delete files')!;
    expect(outputs.sources[deletesClause.sources[0]! - 1]!.path).toBe('deletes.md');
    expect(envelope.metrics.sources).toBe(outputs.sources.length);
    expect(envelope.artifacts.map((a) => a.name)).toEqual(['report.md']);
  });

  it('research.docs: libraries and max_sources narrow the search', async () => {
    const { envelope, outputs } = await run('research.docs', {
      question: 'What does a failing tools/call return?',
      libraries: ['mcpdocs'],
      max_sources: 1,
    });
    expect(envelope.status, envelope.error?.message).toBe('completed');
    expect(outputs.subQueries.map((q) => q.query)).toContain('tools/call');
    expect(outputs.sources).toHaveLength(1);
    expect(outputs.sources[0]).toMatchObject({ library: 'mcpdocs', path: 'tools.md' });
    expect(outputs.sources[0]!.citation).toMatch(/^mcpdocs@.+ tools\.md › Tools/);
  });

  it('research.docs with a model: sentences without a valid chunk id are removed and counted', async () => {
    const modelRegistry = await openAgentRegistry({
      pool: db.pool,
      paths,
      endpoints: { chatUrl: stub.baseUrl, chatModel: 'stub-model' },
      lake: () => Promise.resolve(lake),
    });
    let offered: string[] = [];
    stub.chatScript.push((request) => {
      const prompt = request.body.messages.at(-1)!.content!;
      offered = [...prompt.matchAll(/^\[([0-9a-f]{24})\] (.*)$/gm)].map((m) => `${m[1]}|${m[2]}`);
      const expiring = offered.find((o) => o.includes('snapshots.md'))?.split('|')[0] ?? 'none';
      return {
        message: {
          content: [
            '## Expiry',
            '',
            `Old snapshots are removed by expire_snapshots after the retention period. [${expiring}]`,
            'Snapshots are also mirrored to a second region every night.',
            'Expired snapshots can always be restored later. [ffffffffffffffffffffffff]',
          ].join('\n'),
        },
      };
    });
    const { envelope, outputs } = await run(
      'research.docs',
      { question: 'How are snapshots expired?', libraries: ['lakedocs'] },
      { registry: modelRegistry },
    );
    expect(envelope.status, envelope.error?.message).toBe('completed');
    expect(offered.length).toBeGreaterThan(0);
    expect(stub.chats.at(-1)!.body.model).toBe('stub-model');
    expect(outputs.mode).toBe('synthesis');
    expect(outputs.removedSentences).toEqual([
      'Snapshots are also mirrored to a second region every night.',
      'Expired snapshots can always be restored later. [ffffffffffffffffffffffff]',
    ]);
    expect(envelope.metrics).toMatchObject({ sentences: 3, uncitedSentencesRemoved: 2 });
    const report = fs.readFileSync(outputs.report, 'utf8');
    expect(report).toContain('## Expiry');
    expect(report).toContain('Old snapshots are removed by expire_snapshots after the retention period. [1]');
    expect(report).not.toContain('second region');
    expect(report).not.toContain('restored later');
    expect(outputs.sources[0]!.path).toBe('snapshots.md');
    expect(await chunkExists('lakedocs', outputs.sources[0]!.id)).toBe(true);
  });

  it('research.web: reads the given pages as the crawler does (robots.txt) and cites URL sections', async () => {
    const requests: { url: string; agent: string }[] = [];
    const pages: Record<string, string> = {
      '/robots.txt': 'User-agent: *\nDisallow: /private/\n',
      '/pricing.html': `<html><head><title>Pricing</title></head><body><main><h1>Pricing</h1>
        <h2>Team plan</h2><p>The team plan costs 20 dollars per seat and month, billed yearly.</p>
        <h2>Enterprise plan</h2><p>Enterprise customers get single sign-on and a support contract.</p></main></body></html>`,
      '/limits.html': `<html><head><title>API limits</title></head><body><main><h1>API limits</h1>
        <h2>Rate limits</h2><p>Each API key may send 100 requests per minute; more are answered with HTTP 429.</p></main></body></html>`,
      '/private/plans.html': '<html><body><main><h1>Secret</h1><p>Team plan discount codes.</p></main></body></html>',
    };
    const server = http.createServer((req, res) => {
      requests.push({ url: req.url!, agent: req.headers['user-agent'] ?? '' });
      const body = pages[req.url!];
      if (!body) return void res.writeHead(404).end('not found');
      res.writeHead(200, { 'content-type': req.url!.endsWith('.txt') ? 'text/plain' : 'text/html' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const { envelope, outputs } = await run('research.web', {
        question: 'What does the team plan cost, and what are the rate limits?',
        urls: [`${base}/pricing.html`, `${base}/limits.html`, `${base}/private/plans.html`],
      });
      expect(envelope.status, envelope.error?.message).toBe('completed');
      expect(outputs.pages).toEqual([
        expect.objectContaining({ url: `${base}/pricing.html`, sections: 3 }),
        expect.objectContaining({ url: `${base}/limits.html`, sections: 2 }),
        expect.objectContaining({ url: `${base}/private/plans.html`, error: 'disallowed by robots.txt' }),
      ]);
      expect(requests.map((r) => r.url)).not.toContain('/private/plans.html');
      expect(requests.every((r) => r.agent.startsWith('BosunDocsBot'))).toBe(true);
      const ids = outputs.sources.map((s) => s.id);
      expect(ids).toContain(`${base}/pricing.html#team-plan`);
      expect(ids).toContain(`${base}/limits.html#rate-limits`);
      const team = outputs.sources.find((s) => s.id.endsWith('#team-plan'))!;
      expect(team.citation).toBe(`Pricing › Team plan — ${base}/pricing.html#team-plan`);
      const report = fs.readFileSync(outputs.report, 'utf8');
      expect(report).toContain('20 dollars per seat');
      expect(report).toContain('100 requests per minute');
      expect(report).not.toContain('discount codes');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("research.web: query_urls are a site's own search pages, filled with the question's sub-queries", async () => {
    const searched: string[] = [];
    const server = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/robots.txt') return void res.writeHead(404).end();
      const q = url.searchParams.get('q') ?? '';
      searched.push(q);
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<html><head><title>Search: ${q}</title></head><body><main><h1>Results</h1><h2>Retention</h2>` +
            `<p>Snapshots are kept for 30 days before they expire.</p></main></body></html>`,
        );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const { envelope, outputs } = await run('research.web', {
        question: 'How long are snapshots kept, and when do they expire?',
        query_urls: [`${base}/search?q={query}`],
      });
      expect(envelope.status, envelope.error?.message).toBe('completed');
      // The whole question first, then its clauses; each an encoded query on the site's search page.
      expect(searched[0]).toMatch(/^How long are snapshots kept, and when do they expire\??$/);
      expect(searched.length).toBeGreaterThan(1);
      expect(outputs.pages.map((p: { url: string }) => p.url)[0]).toBe(
        `${base}/search?q=${encodeURIComponent(searched[0]!)}`,
      );
      expect(fs.readFileSync(outputs.report, 'utf8')).toContain('kept for 30 days');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const neither = await run('research.web', { question: 'What is in neither?' });
    expect(neither.envelope.status).toBe('rejected');
  });

  it('research.web: when no page can be read, it fails and says why for each', async () => {
    const { envelope } = await run('research.web', {
      question: 'What does the closed port say?',
      urls: ['http://127.0.0.1:9/nothing.html'],
    });
    expect(envelope.status).toBe('failed');
    expect(envelope.error?.code).toBe('FETCH_FAILED');
    expect(envelope.error?.message).toContain('http://127.0.0.1:9/nothing.html: cannot reach');
  });

  it("docs.write: a project's readme from its tasks, results, artifacts and notes, searchable afterwards", async () => {
    const pm = { pool: db.pool, logger: silentLogger, actor: 'test' };
    const slug = `orders-${process.pid}`;
    await createProject(pm, shippedTemplateSet(), {
      slug,
      name: 'Orders pipeline',
      brief: 'Load the nightly orders export into the warehouse, deduplicated by order id.',
    });
    await planTasks(pm, slug, [
      { key: 'extract', title: 'Extract orders', skill: 'data.ingest' },
      { key: 'load', title: 'Load orders', skill: 'sql.query', dependsOn: ['extract'] },
    ]);
    await advanceProject(pm, slug);
    const extracted = done('Extracted 1,204 orders from the SFTP drop', { rows: 1204 });
    extracted.artifacts.push(inlineArtifact('orders.csv', 'text/csv', 'id\n1\n'));
    await doneByHand(pm, `${slug}#1`, extracted, paths.artifacts);
    await addNote(pm, {
      project: slug,
      kind: 'decision',
      body: 'Upsert on order id because the export repeats orders.',
    });

    // Run as the PM runs it: the project is the run's scope.
    const { envelope, workDir } = await run(
      'docs.write',
      { kind: 'readme', inputs: { caveats: 'The SFTP host rotates its key monthly.' } },
      { scope: slug },
    );
    expect(envelope.status, envelope.error?.message).toBe('completed');
    const outputs = envelope.outputs as {
      document: string;
      indexed: { library: string; path: string; snapshotId: number };
    };
    const readme = fs.readFileSync(outputs.document, 'utf8');
    expect(readme).toMatch(/^# Orders pipeline\n\nLoad the nightly orders export/);
    expect(readme).toContain(
      `- **${slug}#1 Extract orders** (data.ingest) — Extracted 1,204 orders from the SFTP drop`,
    );
    expect(readme).toMatch(new RegExp(`\\| orders.csv \\| ${slug}#1 \\| text/csv \\|`));
    expect(readme).toContain('**decision:** Upsert on order id because the export repeats orders.');
    expect(readme).toContain(`${slug}#2 Load orders** (sql.query) · ready`);
    expect(readme).toContain('## Caveats\n\nThe SFTP host rotates its key monthly.');
    expect(envelope.artifacts).toEqual([expect.objectContaining({ name: 'readme.md', mediaType: 'text/markdown' })]);
    expect(path.dirname(outputs.document)).toBe(workDir);

    expect(outputs.indexed).toMatchObject({ library: `project-${slug}`, path: 'readme.md' });
    expect(await libraryNames(db.pool)).toContain(`project-${slug}`);
    const searcher = await openLakeSearcher({ pool: db.pool, lake, accessLog: false });
    try {
      const found = await searcher.search({ query: 'SFTP key rotates monthly', libraries: [`project-${slug}`] });
      expect(found.hits[0]).toMatchObject({ library: `project-${slug}`, path: 'readme.md' });
      expect(found.hits[0]!.text).toContain('The SFTP host rotates its key monthly.');
    } finally {
      await searcher.close();
    }

    // A template's kind names and top-level material: a report titled after its kind, the material as sections.
    const report = await run('docs.write', { kind: 'data-quality-report', project: slug, results: { failed: 0 } });
    expect(report.envelope.status, report.envelope.error?.message).toBe('completed');
    const text = fs.readFileSync((report.envelope.outputs as { document: string }).document, 'utf8');
    expect(text).toMatch(/^# Data quality report\n/);
    expect(text).toContain('## Goal\n\nLoad the nightly orders export');
    expect(text).toContain('## Results\n\n```json\n{\n  "failed": 0\n}\n```');
    expect((report.envelope.outputs as { indexed: { path: string } }).indexed.path).toBe('data-quality-report.md');
  });

  it('docs.write: without the project manager it says so instead of writing an empty document', async () => {
    const { envelope } = await run('docs.write', { kind: 'handbook', project: 'anything' }, { projects: false });
    expect(envelope.status).toBe('failed');
    expect(envelope.error).toMatchObject({ code: 'NO_PROJECTS', retryable: false });
    const unknown = await run('docs.write', { kind: 'handbook', project: 'no-such-project' });
    expect(unknown.envelope.error?.code).toBe('NOT_FOUND');
  });
});
