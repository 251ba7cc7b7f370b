import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAgent, type AgentRegistry, type Endpoints, type ResultEnvelope } from '../../src/agents/index.js';
import { runChecked } from '../../src/exec/index.js';
import { agentsFixture, type AgentsFixture } from './fixtures.js';
import { startOpenAIStub, type OpenAIStub } from './openai-stub.js';
import { startVideoSite, type VideoSite } from './video-site.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

// Loose views of the outputs, for reading them in assertions.
type Outputs = Record<string, any>;

describe('the YouTube agent (yt-dlp against a local video site)', () => {
  let f: AgentsFixture;
  let site: VideoSite;
  let stub: OpenAIStub;
  let scratch: string;
  const registries = new Map<string, AgentRegistry>();
  /** One registry per endpoint configuration. */
  const registryWith = async (endpoints: Endpoints) => {
    const key = JSON.stringify(endpoints);
    if (!registries.has(key)) registries.set(key, await f.open({ endpoints }));
    return registries.get(key)!;
  };
  let n = 0;
  const run = async (
    skillId: string,
    input: Record<string, unknown>,
    endpoints: Endpoints = {},
    options: { noCache?: boolean } = {},
  ) => {
    const workDir = path.join(scratch, `run-${++n}`);
    const envelope: ResultEnvelope = await executeAgent({
      registry: await registryWith(endpoints),
      agentId: 'youtube',
      skillId,
      input,
      workDir,
      noCache: options.noCache ?? true,
    });
    return { envelope, outputs: envelope.outputs as Outputs, workDir };
  };

  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-youtube-'));
    const lectureMp4 = path.join(scratch, 'lecture.mp4');
    // Three seconds of a tone on a black picture, made here rather than downloaded.
    await runChecked('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=3',
      '-f',
      'lavfi',
      '-i',
      'color=c=black:s=64x64:d=3',
      '-shortest',
      '-c:v',
      'mpeg4',
      '-c:a',
      'aac',
      lectureMp4,
    ]);
    site = await startVideoSite({
      rollingVtt: path.join(fixtures, 'rolling.en.vtt'),
      manualVtt: path.join(fixtures, 'manual.en.vtt'),
      lectureMp4,
    });
    stub = await startOpenAIStub({ apiKey: 'sk-test-key' });
    f = await agentsFixture();
  }, 120_000);
  afterAll(async () => {
    await site.close();
    await stub.close();
    await f.cleanup();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('reads metadata: title, channel, duration and chapters from the page', async () => {
    const { envelope, outputs, workDir } = await run('youtube.metadata', { url: site.url('/lecture.html') });
    expect(envelope.status, envelope.error?.message).toBe('completed');
    expect(outputs.metadata).toMatchObject({
      title: 'Lakes in practice',
      channel: 'Data Channel',
      duration: 3,
      uploadDate: '2024-05-01',
      description: 'A lecture about lakes, without captions.',
      chapters: [
        { title: 'Intro', start: 0, end: 1 },
        { title: 'Catalog', start: 1, end: 3 },
      ],
      chaptersSource: 'site',
      captions: { manual: [], automatic: [] },
    });
    expect(envelope.summary).toBe('“Lakes in practice” by Data Channel, 0:03, 2 chapters');
    expect(envelope.artifacts.map((a) => a.name)).toEqual(['metadata.json']);
    expect(JSON.parse(fs.readFileSync(path.join(workDir, 'metadata.json'), 'utf8')).title).toBe('Lakes in practice');
  });

  it('reads chapters from the description when the site has none', async () => {
    const { outputs } = await run('youtube.metadata', { url: site.url('/talk.html') });
    // yt-dlp numbers the videos of an HTML5 page: "(1)" is its, not ours.
    expect(outputs.metadata.title).toBe('A talk about lakes (1)');
    expect(outputs.metadata.chaptersSource).toBe('description');
    expect(outputs.metadata.chapters.map((c: { title: string }) => c.title)).toEqual(['Welcome', 'Lakes', 'Catalogs']);
    expect(outputs.metadata.captions).toEqual({ manual: ['en'], automatic: [] });
  });

  it('transcribes from captions, without rolling duplicates, aligned to chapters, as JSON and markdown', async () => {
    const { envelope, outputs, workDir } = await run('youtube.transcript', { url: site.url('/talk.html') });
    expect(envelope.status, envelope.error?.message).toBe('completed');
    const t = outputs.transcript;
    expect(t.source).toBe('manual-captions');
    expect(t.language).toBe('en');
    expect(t.segments.map((s: { text: string }) => s.text)).toEqual([
      'welcome everyone to this talk',
      'about data lakes and catalogs',
      'a lake stores parquet files',
      'the catalog tracks snapshots',
      'so readers never see half a commit',
    ]);
    expect(t.chapters.map((c: { title: string; text: string }) => [c.title, c.text])).toEqual([
      ['Welcome', 'welcome everyone to this talk about data lakes and catalogs'],
      ['Lakes', 'a lake stores parquet files'],
      ['Catalogs', 'the catalog tracks snapshots so readers never see half a commit'],
    ]);
    expect(envelope.artifacts.map((a) => a.name)).toEqual([
      'metadata.json',
      'transcript.md',
      'transcript.json',
      'captions.en.vtt',
    ]);
    const markdown = fs.readFileSync(path.join(workDir, 'transcript.md'), 'utf8');
    expect(markdown).toContain('_Transcript from manual captions (en)._');
    expect(markdown).toContain(
      '## Welcome (0:00)\n\n[0:00] welcome everyone to this talk about data lakes and catalogs',
    );
    expect(markdown).toContain(
      '## Catalogs (0:08)\n\n[0:08] the catalog tracks snapshots so readers never see half a commit',
    );
    expect(envelope.metrics).toMatchObject({ segments: 5, words: 26, chapters: 3 });
  });

  it('summarises extractively per chapter when no chat endpoint is configured', async () => {
    const { envelope, outputs, workDir } = await run('youtube.summary', {
      url: site.url('/talk.html'),
      sentencesPerChapter: 1,
    });
    expect(envelope.status, envelope.error?.message).toBe('completed');
    expect(outputs.summary.method).toBe('extractive');
    expect(
      outputs.summary.chapters.map((c: { title: string; points: unknown[] }) => [c.title, c.points.length]),
    ).toEqual([
      ['Welcome', 1],
      ['Lakes', 1],
      ['Catalogs', 1],
    ]);
    const markdown = fs.readFileSync(path.join(workDir, 'summary.md'), 'utf8');
    expect(markdown).toContain('Extractive summary');
    expect(markdown).toContain('## Lakes (0:05)\n\n- [0:05] a lake stores parquet files');
  });

  it('summarises with an OpenAI-compatible chat endpoint when one is configured', async () => {
    const endpoints = { chatUrl: `${stub.baseUrl}/v1`, chatModel: 'local-model', apiKey: 'sk-test-key' };
    const { envelope, outputs } = await run('youtube.summary', { url: site.url('/talk.html') }, endpoints);
    expect(envelope.status, envelope.error?.message).toBe('completed');
    expect(outputs.summary).toMatchObject({
      method: 'chat',
      model: 'local-model-stub',
      text: '## Summary\n- the transcript had 3 chapters',
    });
    expect(envelope.metrics).toMatchObject({ promptTokens: 321, completionTokens: 12 });
    const sent = stub.chats.at(-1)!;
    expect(sent.authorization).toBe('Bearer sk-test-key');
    expect(sent.body.model).toBe('local-model');
    expect(sent.body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(sent.body.messages[1]!.content).toContain('Video: A talk about lakes (1)');
    expect(sent.body.messages[1]!.content).toContain('## Lakes (0:05)\na lake stores parquet files');
  });

  it('a failing chat endpoint fails the run, retryable for 5xx and not for a rejected key', async () => {
    stub.failWith = 503;
    try {
      const { envelope } = await run(
        'youtube.summary',
        { url: site.url('/talk.html') },
        { chatUrl: stub.baseUrl, apiKey: 'sk-test-key' },
      );
      expect(envelope.status).toBe('failed');
      expect(envelope.error).toMatchObject({
        code: 'ENDPOINT_UNAVAILABLE',
        retryable: true,
        message: expect.stringContaining('answered HTTP 503'),
      });
    } finally {
      stub.failWith = null;
    }
    const { envelope } = await run(
      'youtube.summary',
      { url: site.url('/talk.html') },
      { chatUrl: stub.baseUrl, apiKey: 'wrong' },
    );
    expect(envelope.error).toMatchObject({
      code: 'ENDPOINT_REJECTED',
      retryable: false,
      message: expect.stringContaining('answered HTTP 401'),
    });
  });

  it('without captions, transcribes the audio through an OpenAI-compatible transcription endpoint', async () => {
    const before = stub.transcriptions.length;
    const endpoints = { transcriptionUrl: stub.baseUrl, apiKey: 'sk-test-key' };
    const { envelope, outputs, workDir } = await run(
      'youtube.transcript',
      { url: site.url('/lecture.html') },
      endpoints,
    );
    expect(envelope.status, envelope.error?.message).toBe('completed');
    expect(outputs.transcript.source).toBe('speech-to-text');
    expect(outputs.transcript.language).toBe('english');
    expect(outputs.transcript.segments).toEqual([
      { start: 0, end: 1.4, text: 'Hello from the lecture.' },
      { start: 1.4, end: 3, text: 'The catalog tracks snapshots.' },
    ]);
    expect(outputs.transcript.chapters.map((c: { title: string; text: string }) => [c.title, c.text])).toEqual([
      ['Intro', 'Hello from the lecture.'],
      ['Catalog', 'The catalog tracks snapshots.'],
    ]);
    const sent = stub.transcriptions.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      model: 'whisper-1',
      responseFormat: 'verbose_json',
      language: 'en',
      fileName: 'chunk-000.mp3',
      fileType: 'audio/mpeg',
      isMp3: true,
      authorization: 'Bearer sk-test-key',
    });
    expect(sent[0]!.bytes).toBeGreaterThan(1000);
    // The audio is not a result: nothing of it is left behind.
    expect(fs.readdirSync(path.join(workDir, '.youtube'))).toEqual(['info.json']);
    expect(envelope.artifacts.map((a) => a.name)).toEqual(['metadata.json', 'transcript.md', 'transcript.json']);
  });

  it('without captions and without an endpoint, says no transcript is available, and keeps the metadata', async () => {
    const { envelope, outputs } = await run('youtube.transcript', { url: site.url('/lecture.html') });
    expect(envelope.status).toBe('failed');
    expect(envelope.error).toEqual({
      code: 'NO_TRANSCRIPT',
      message:
        'no transcript available: the video has no captions, and no transcription endpoint is configured (set endpoints.transcriptionUrl to an OpenAI-compatible server)',
      retryable: false,
    });
    expect(outputs.metadata.title).toBe('Lakes in practice');
    expect(outputs.transcript).toBeNull();
  });

  it('uses captions in the languages asked for, in order, and says which exist', async () => {
    const english = await run('youtube.transcript', { url: site.url('/french.html') });
    expect(english.envelope.error?.message).toMatch(/^no transcript available: no captions in en \(offered: fr\)/);
    const french = await run('youtube.transcript', { url: site.url('/french.html'), languages: ['de', 'fr'] });
    expect(french.envelope.status).toBe('completed');
    expect(french.outputs.transcript).toMatchObject({ source: 'manual-captions', language: 'fr' });
    expect(french.outputs.transcript.segments).toHaveLength(4);
  });

  it.each([
    ['/private.html', 'VIDEO_UNAVAILABLE', false, /^the video is unavailable: .*HTTP Error 403/],
    ['/gone.html', 'VIDEO_UNAVAILABLE', false, /^the video is unavailable: .*HTTP Error 404/],
    ['/plain.html', 'NO_VIDEO_FOUND', false, /^no video at that address: Unsupported URL/],
  ])('fails %s with %s, retryable=%s', async (route, code, retryable, message) => {
    const { envelope } = await run('youtube.transcript', { url: site.url(route) });
    expect(envelope.status).toBe('failed');
    expect(envelope.error).toMatchObject({ code, retryable, message: expect.stringMatching(message) });
  });

  it('an unreachable site is a retryable failure', async () => {
    const { envelope } = await run('youtube.metadata', { url: 'http://127.0.0.1:9/watch?v=x' });
    expect(envelope.error).toMatchObject({
      code: 'NETWORK_ERROR',
      retryable: true,
      message: expect.stringContaining('Connection refused'),
    });
  });

  it('rejects input that is not a video URL', async () => {
    const { envelope } = await run('youtube.transcript', { url: 'not a url', languages: [] });
    expect(envelope.status).toBe('rejected');
    expect(envelope.error?.message).toBe(
      'invalid input for youtube.transcript: input.url: must match /^https?:///; input.url: must be an absolute URI; input.languages: must have at least 1 items',
    );
  });

  it('does not fetch the same video twice: the second transcript comes from the cache', async () => {
    const first = await run('youtube.transcript', { url: site.url('/manual.html') }, {}, { noCache: false });
    expect(first.envelope.status, first.envelope.error?.message).toBe('completed');
    const fetched = site.requests.length;
    const second = await run('youtube.transcript', { url: site.url('/manual.html') }, {}, { noCache: false });
    expect(second.envelope.metrics.cacheHit).toBe(1);
    expect(site.requests.length).toBe(fetched);
    expect(second.outputs.transcript).toEqual(first.outputs.transcript);
    expect(fs.readFileSync(path.join(second.workDir, 'transcript.md'), 'utf8')).toContain(
      '[0:00] Is the lake ready? Yes. Yes.',
    );
  });
});
