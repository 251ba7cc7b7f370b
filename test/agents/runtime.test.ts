import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAgent, LakeResultCache, RESULT_CACHE_TABLE, type AgentRegistry } from '../../src/agents/index.js';
import { openLake } from '../../src/lake/index.js';
import { agentsFixture, type AgentsFixture } from './fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const counterManifest = `id: counter
name: Counter
tier: general
version: 1.0.0
description: A command-line test agent that counts its runs.
executor: { kind: command, argv: [python3, ./counter-agent.py] }
requires:
  commands:
    - { name: python3 }
skills:
  - id: counter.greet
    name: Greet
    description: says hello and writes a file
    inputSchema:
      type: object
      additionalProperties: false
      required: [name, counterFile]
      properties:
        name: { type: string, minLength: 1 }
        counterFile: { type: string }
        mode: { enum: [ok, sleep, garbage, bad-envelope, crash, lying-artifact, wrong-outputs, handoff], default: ok }
    outputSchema:
      type: object
      required: [greeting]
      properties: { greeting: { type: string } }
`;

describe('executeAgent', () => {
  let f: AgentsFixture;
  let registry: AgentRegistry;
  let scratch: string;
  let counterFile: string;
  const runs = () => (fs.existsSync(counterFile) ? Number(fs.readFileSync(counterFile, 'utf8')) : 0);
  const workDir = (name: string) => path.join(scratch, name);
  const greet = (
    name: string,
    extra: Record<string, unknown> = {},
    dir = workDir(`${name}-${Math.random().toString(36).slice(2)}`),
  ) =>
    executeAgent({
      registry,
      agentId: 'counter',
      skillId: 'counter.greet',
      input: { name, counterFile, ...extra },
      workDir: dir,
    });

  beforeAll(async () => {
    f = await agentsFixture();
    f.addUserManifest('counter.yaml', counterManifest);
    fs.copyFileSync(path.join(here, 'fixtures', 'counter-agent.py'), path.join(f.paths.agents, 'counter-agent.py'));
    f.addUserManifest(
      'missing.yaml',
      counterManifest
        .replace('id: counter', 'id: missing')
        .replace('- { name: python3 }', '- { name: bosun-no-such-tool-z, package: bosun-z }')
        .replace(/counter\.greet/g, 'missing.greet'),
    );
    // A person's agent: an assistant that only the PM's claim flow serves.
    f.addUserManifest(
      'reviewer.yaml',
      'id: reviewer\nname: Reviewer\ntier: task\nversion: 1.0.0\ndescription: a person reviews\nexecutor: { kind: assistant }\nskills:\n  - { id: review.read, name: Review, description: reads and judges }\n',
    );
    registry = await f.open();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-runtime-'));
    counterFile = path.join(scratch, 'runs.txt');
  });
  afterAll(async () => {
    await f.cleanup();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('runs a command agent in its work dir and validates what it returns', async () => {
    const dir = workDir('first');
    const envelope = await greet('ada', { mode: 'handoff' }, dir);
    expect(envelope).toMatchObject({
      status: 'completed',
      summary: 'said hello',
      outputs: { greeting: 'hello ada', env: 'counter.greet' },
      handoffs: [{ skill: 'docs.write', input: { topic: 'ada' }, reason: 'write it up' }],
    });
    expect(envelope.artifacts).toEqual([
      {
        name: 'out/greeting.txt',
        mediaType: 'text/plain',
        path: path.join(dir, 'out', 'greeting.txt'),
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        bytes: 9,
      },
    ]);
    expect(envelope.metrics.durationMs).toBeGreaterThan(0);
    expect(runs()).toBe(1);
  });

  it('serves the same input from the cache without running the agent, until told not to', async () => {
    const before = runs();
    const first = await greet('grace');
    expect(runs()).toBe(before + 1);
    expect(first.metrics.cacheHit).toBeUndefined();

    const secondDir = workDir('grace-again');
    const second = await greet('grace', {}, secondDir);
    expect(runs()).toBe(before + 1);
    expect(second.metrics.cacheHit).toBe(1);
    expect(second.outputs).toEqual(first.outputs);
    // The files come along into the new work dir, unchanged.
    const copy = second.artifacts[0]!;
    expect(copy.path).toBe(path.join(secondDir, 'out', 'greeting.txt'));
    expect(copy.sha256).toBe(first.artifacts[0]!.sha256);
    expect(fs.readFileSync(copy.path!, 'utf8')).toBe('hello grace');

    // Key order does not matter: the input is hashed canonically.
    const reordered = await executeAgent({
      registry,
      agentId: 'counter',
      skillId: 'counter.greet',
      input: { counterFile, name: 'grace' },
      workDir: workDir('grace-3'),
    });
    expect(reordered.metrics.cacheHit).toBe(1);

    const forced = await executeAgent({
      registry,
      agentId: 'counter',
      skillId: 'counter.greet',
      input: { name: 'grace', counterFile },
      workDir: workDir('grace-4'),
      noCache: true,
    });
    expect(forced.metrics.cacheHit).toBeUndefined();
    expect(runs()).toBe(before + 2);

    const other = await greet('linus');
    expect(other.metrics.cacheHit).toBeUndefined();
    expect(runs()).toBe(before + 3);
  });

  it('keeps the cache in the lake table agents.result_cache', async () => {
    const lake = await openLake({ pool: f.db.pool, dataPath: f.paths.lake });
    const rows = await lake.withReader({}, async (conn) =>
      (
        await conn.runAndReadAll(
          `SELECT agent_id, skill_id, count(*)::INTEGER AS n FROM agents.result_cache GROUP BY ALL ORDER BY ALL`,
        )
      ).getRowObjects(),
    );
    expect(RESULT_CACHE_TABLE).toBe('agents.result_cache');
    expect(rows).toEqual([{ agent_id: 'counter', skill_id: 'counter.greet', n: expect.any(Number) }]);
    expect(rows[0]!.n).toBeGreaterThanOrEqual(3);
  });

  it('still runs, uncached, when the cache cannot be used', async () => {
    // A lake opened with another data path than the one it was created with refuses to open.
    const broken = new LakeResultCache(() =>
      openLake({ pool: f.db.pool, dataPath: path.join(scratch, 'not-the-lake') }),
    );
    const before = runs();
    for (const dir of ['broken-1', 'broken-2']) {
      const envelope = await executeAgent({
        registry,
        agentId: 'counter',
        skillId: 'counter.greet',
        input: { name: 'broken', counterFile },
        workDir: workDir(dir),
        cache: broken,
      });
      expect(envelope.status).toBe('completed');
      expect(envelope.metrics.cacheHit).toBeUndefined();
    }
    expect(runs()).toBe(before + 2);
  });

  it('runs again when a cached result has lost its files', async () => {
    const dir = workDir('hopper');
    const first = await greet('hopper', {}, dir);
    fs.rmSync(first.artifacts[0]!.path!);
    const before = runs();
    const again = await greet('hopper');
    expect(again.metrics.cacheHit).toBeUndefined();
    expect(runs()).toBe(before + 1);
  });

  it('rejects input that does not match the skill, without running it', async () => {
    const before = runs();
    const envelope = await executeAgent({
      registry,
      agentId: 'counter',
      skillId: 'counter.greet',
      input: { name: '', colour: 'red' },
      workDir: workDir('bad'),
    });
    expect(envelope.status).toBe('rejected');
    expect(envelope.error).toEqual({
      code: 'INVALID_INPUT',
      message:
        "invalid input for counter.greet: input.counterFile: is required; input.name: must be at least 1 characters; input: unknown key 'colour' (known: name, counterFile, mode)",
      retryable: false,
    });
    expect(runs()).toBe(before);
  });

  it.each([
    ['garbage', /printed no JSON envelope/],
    ['bad-envelope', /returned an invalid envelope: summary: Expected string, received number/],
    ['wrong-outputs', /returned an invalid envelope: outputs.greeting: is required/],
    ['lying-artifact', /returned an invalid envelope: artifact out\/greeting.txt: 7 bytes on disk, 999 declared/],
  ])('turns an invalid envelope (%s) into a failed one, which is not cached', async (mode, message) => {
    const first = await greet('x', { mode });
    expect(first.status).toBe('failed');
    expect(first.error).toMatchObject({
      code: 'INVALID_ENVELOPE',
      retryable: false,
      message: expect.stringMatching(message),
    });
    const before = runs();
    await greet('x', { mode });
    expect(runs()).toBe(before + 1);
  });

  it('reports a crash as retryable, with the end of its stderr', async () => {
    const envelope = await greet('y', { mode: 'crash' });
    expect(envelope.status).toBe('failed');
    expect(envelope.error).toEqual({
      code: 'AGENT_CRASHED',
      message: 'counter exited with code 3 without an envelope: boom: the agent fell over',
      retryable: true,
    });
  });

  it('enforces the timeout and stops the agent', async () => {
    const started = Date.now();
    const envelope = await executeAgent({
      registry,
      agentId: 'counter',
      skillId: 'counter.greet',
      input: { name: 'z', counterFile, mode: 'sleep' },
      workDir: workDir('slow'),
      timeoutSeconds: 1,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(envelope.status).toBe('failed');
    expect(envelope.error).toEqual({
      code: 'TIMEOUT',
      message: 'counter counter.greet timed out after 1 s',
      retryable: true,
    });
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const envelope = await executeAgent({
      registry,
      agentId: 'counter',
      skillId: 'counter.greet',
      input: { name: 'c', counterFile, mode: 'sleep' },
      workDir: workDir('cancel'),
      signal: controller.signal,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(envelope.status).toBe('canceled');
    expect(envelope.error).toMatchObject({ code: 'CANCELED', retryable: true });
  });

  it('does not run assistants or agents that cannot run here, and names unknown ones', async () => {
    const assistant = await executeAgent({
      registry,
      agentId: 'reviewer',
      skillId: 'review.read',
      input: {},
      workDir: workDir('reviewer'),
    });
    expect(assistant.status).toBe('rejected');
    expect(assistant.error).toMatchObject({ code: 'NOT_AUTOMATIC', retryable: false });
    const missing = await executeAgent({
      registry,
      agentId: 'missing',
      skillId: 'missing.greet',
      input: { name: 'q', counterFile },
      workDir: workDir('missing'),
    });
    expect(missing.status).toBe('failed');
    expect(missing.error).toEqual({
      code: 'AGENT_UNAVAILABLE',
      message: 'agent missing cannot run here: bosun-no-such-tool-z missing (apt-get install -y bosun-z)',
      retryable: false,
    });
    await expect(
      executeAgent({ registry, agentId: 'nobody', skillId: 'x.y', input: {}, workDir: workDir('nobody') }),
    ).rejects.toThrow("no agent 'nobody'");
    await expect(
      executeAgent({ registry, agentId: 'counter', skillId: 'counter.dance', input: {}, workDir: workDir('nobody') }),
    ).rejects.toThrow("agent 'counter' has no skill 'counter.dance'");
  });
});
