import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { z } from 'zod';
import { exportA2ACards, exportClaudeCodeSubagents, type AgentRegistry } from '../../src/agents/index.js';
import { agentsFixture, type AgentsFixture } from './fixtures.js';

/** The required fields of an A2A 0.3 AgentCard and AgentSkill, as the specification lists them. */
const a2aSkill = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    description: z.string().min(1),
    tags: z.array(z.string()),
    examples: z.array(z.string()).optional(),
    inputModes: z.array(z.string()).optional(),
    outputModes: z.array(z.string()).optional(),
  })
  .strict();
const a2aCard = z
  .object({
    protocolVersion: z.literal('0.3.0'),
    name: z.string().min(1),
    description: z.string().min(1),
    url: z.string().url(),
    preferredTransport: z.enum(['JSONRPC', 'GRPC', 'HTTP+JSON']),
    version: z.string().min(1),
    provider: z.object({ organization: z.string(), url: z.string().url() }).optional(),
    capabilities: z.object({
      streaming: z.boolean().optional(),
      pushNotifications: z.boolean().optional(),
      stateTransitionHistory: z.boolean().optional(),
      extensions: z
        .array(
          z.object({
            uri: z.string().min(1),
            description: z.string().optional(),
            required: z.boolean().optional(),
            params: z.record(z.unknown()).optional(),
          }),
        )
        .optional(),
    }),
    defaultInputModes: z.array(z.string()).min(1),
    defaultOutputModes: z.array(z.string()).min(1),
    skills: z.array(a2aSkill).min(1),
  })
  .strict();

describe('exports', () => {
  let f: AgentsFixture;
  let registry: AgentRegistry;
  beforeAll(async () => {
    f = await agentsFixture();
    // A person's agent: every built-in runs by itself, so the assistant case is a user manifest.
    f.addUserManifest(
      'reviewer.yaml',
      'id: reviewer\nname: Reviewer\ntier: task\nversion: 1.0.0\ndescription: a person reviews\nexecutor: { kind: assistant }\nskills:\n  - { id: review.read, name: Review, description: reads and judges }\n',
    );
    registry = await f.open();
  });
  afterAll(async () => {
    await f.cleanup();
  });

  it('A2A agent cards: one valid card per agent, Bosun fields in an extension', () => {
    const cards = exportA2ACards(registry);
    expect(cards.map((c) => c.url)).toEqual(registry.list().map((a) => `urn:bosun:agent:${a.manifest.id}`));
    for (const card of cards) a2aCard.parse(card);
    const youtube = cards.find((c) => c.name === 'YouTube')!;
    expect(youtube.skills.map((s) => s.id)).toEqual(['youtube.metadata', 'youtube.transcript', 'youtube.summary']);
    const ext = youtube.capabilities.extensions[0]!;
    expect(ext.uri).toBe('urn:bosun:a2a-extension:agent-manifest:v1');
    expect(ext.params).toMatchObject({
      id: 'youtube',
      tier: 'task',
      executor: 'builtin',
      resourceClass: 'net',
      maxConcurrency: 4,
    });
    expect((ext.params.skills as Record<string, { accepts: string[] }>)['youtube.transcript']!.accepts).toEqual([
      'youtube-url',
    ]);
    expect(exportA2ACards(registry, { baseUrl: 'https://agents.example.com/a2a/' })[0]!.url).toBe(
      `https://agents.example.com/a2a/${registry.list()[0]!.manifest.id}`,
    );
  });

  it('Claude Code subagents: front matter with name and description, and a prompt that says how to work', () => {
    const files = exportClaudeCodeSubagents(registry);
    expect(files.map((f) => f.file)).toEqual(registry.list().map((a) => `bosun-${a.manifest.id}.md`));
    for (const file of files) {
      const m = /^---\n([\s\S]*?)\n---\n\n([\s\S]+)$/.exec(file.content);
      expect(m, file.file).not.toBeNull();
      const front = YAML.parse(m![1]!) as Record<string, unknown>;
      expect(front.name).toMatch(/^bosun-[a-z0-9-]+$/);
      expect(typeof front.description).toBe('string');
    }
    const youtube = files.find((f) => f.file === 'bosun-youtube.md')!.content;
    expect(youtube).toContain('tools: Bash, Read');
    expect(youtube).toContain('bosun agents run youtube <skill> --input key=value … --json');
    expect(youtube).toContain('### youtube.transcript: Video transcript');
    const reviewer = files.find((f) => f.file === 'bosun-reviewer.md')!.content;
    expect(reviewer).not.toContain('tools:');
    expect(reviewer).toContain('Take the next task through the Bosun PM MCP server');
  });
});
