import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { executeAgent, type AgentRegistry } from '../../src/agents/index.js';
import { agentsFixture, type AgentsFixture } from './fixtures.js';
import { startOpenAIStub, type ChatRequest, type OpenAIStub } from './openai-stub.js';

const manifest = (id: string, executor: string) => `id: ${id}
name: Analyst
tier: general
version: 1.0.0
description: answers questions by computing with Python
executor: ${executor}
skills:
  - id: ${id}.answer
    name: Answer
    description: Answer a question, computing what is needed
    cacheable: false
    inputSchema: { type: object, required: [question], properties: { question: { type: string } } }
`;

const pythonCall = (id: string, code: string) => ({
  message: {
    content: null,
    tool_calls: [
      { id, type: 'function' as const, function: { name: 'python__run', arguments: JSON.stringify({ code }) } },
    ],
  },
});
/** The model's second turn: it reads the tool's envelope from the last message and answers with its stdout. */
const answerFromTool = (request: ChatRequest) => {
  const tool = request.body.messages.at(-1)!;
  const envelope = JSON.parse(tool.content!) as { outputs: { stdout: string } };
  return { message: { content: `The answer is ${envelope.outputs.stdout.trim()}.` } };
};

interface LlmOutputs {
  answer: string | null;
  steps: number;
  toolRuns: { step: number; tool: string; skillId: string | null; status: string; summary: string }[];
  usage: { promptTokens: number; completionTokens: number; totalTokens: number };
  transcript: {
    messages: { role: string; content: string | null; tool_calls?: unknown[]; tool_call_id?: string }[];
    calls: { step: number; attempts: { status: number | null; error: string | null; waitMs: number }[] }[];
  };
}

describe('the language-model executor', () => {
  let f: AgentsFixture;
  let registry: AgentRegistry;
  let stub: OpenAIStub;
  let scratch: string;
  const run = async (agentId: string, reg = registry) => {
    const workDir = fs.mkdtempSync(path.join(scratch, 'run-'));
    const envelope = await executeAgent({
      registry: reg,
      agentId,
      skillId: `${agentId}.answer`,
      input: { question: 'What is six times seven?' },
      workDir,
      scope: 'tests',
      noCache: true,
    });
    return { envelope, outputs: envelope.outputs as unknown as LlmOutputs, workDir };
  };

  beforeAll(async () => {
    process.env.BOSUN_TEST_CHAT_KEY = 'sk-test-key';
    stub = await startOpenAIStub({ apiKey: 'sk-test-key' });
    f = await agentsFixture();
    f.addUserManifest(
      'analyst.yaml',
      manifest('analyst', '{ kind: llm, tools: [python.run], maxSteps: 3, maxTokens: 1000 }'),
    );
    f.addUserManifest(
      'streamer.yaml',
      manifest('streamer', '{ kind: llm, tools: [python.run], maxSteps: 3, maxTokens: 1000, stream: true }'),
    );
    registry = await f.open({
      endpoints: { chatUrl: stub.baseUrl, chatModel: 'stub-model', apiKeyEnv: 'BOSUN_TEST_CHAT_KEY' },
    });
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-llm-'));
  });
  beforeEach(() => {
    stub.chats.length = 0;
    stub.chatScript.length = 0;
  });
  afterAll(async () => {
    delete process.env.BOSUN_TEST_CHAT_KEY;
    await stub.close();
    await f.cleanup();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("offers the agent's skills as tools, runs the model's call as a child run and records the whole exchange", async () => {
    stub.chatScript.push(pythonCall('call_1', 'print(6 * 7)'), answerFromTool);
    const { envelope, outputs, workDir } = await run('analyst');
    expect(envelope.status, envelope.summary).toBe('completed');
    expect(outputs.answer).toBe('The answer is 42.');
    expect(envelope.summary).toBe('The answer is 42.');

    const first = stub.chats[0]!;
    expect(first.authorization).toBe('Bearer sk-test-key');
    expect(first.body.model).toBe('stub-model');
    expect(first.body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'python__run',
          description: registry.skill('python', 'python.run').skill.description,
          parameters: registry.skill('python', 'python.run').skill.inputSchema,
        },
      },
    ]);
    expect(outputs.toolRuns).toEqual([
      {
        step: 1,
        tool: 'python__run',
        agentId: 'python',
        skillId: 'python.run',
        status: 'completed',
        summary: expect.stringMatching(/^python finished/),
      },
    ]);
    expect(outputs.transcript.messages.map((m) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'tool',
      'assistant',
    ]);
    expect(outputs.transcript.messages[3]!.tool_call_id).toBe('call_1');
    // The second request carried the tool's envelope back to the model.
    expect(stub.chats[1]!.body.messages.at(-1)!.content).toContain('"status":"completed"');
    expect(outputs.usage).toEqual({ promptTokens: 20, completionTokens: 10, totalTokens: 30 });
    const saved = JSON.parse(
      fs.readFileSync(path.join(workDir, 'llm', 'transcript.json'), 'utf8'),
    ) as LlmOutputs['transcript'];
    expect(saved.messages).toEqual(outputs.transcript.messages);
    expect(fs.existsSync(path.join(workDir, 'tools', '1-1-python.run'))).toBe(true);
  }, 60_000);

  it('streams, assembles tool calls from deltas, and retries 429 after Retry-After, 500 and malformed JSON', async () => {
    stub.chatScript.push(
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 500 },
      { raw: '{"choices": [ {"message": ' },
      pythonCall('call_s', 'print(sum(range(10)))'),
      answerFromTool,
    );
    const started = Date.now();
    const { envelope, outputs } = await run('streamer');
    expect(envelope.status, envelope.summary).toBe('completed');
    expect(outputs.answer).toBe('The answer is 45.');
    expect(stub.chats[0]!.body.stream).toBe(true);
    expect(outputs.transcript.calls[0]!.attempts).toEqual([
      { status: 429, error: expect.stringMatching(/^HTTP 429/), waitMs: 1000 },
      { status: 500, error: expect.stringMatching(/^HTTP 500/), waitMs: 500 },
      { status: 200, error: expect.stringMatching(/^the answer is not JSON/), waitMs: 1000 },
      { status: 200, error: null, waitMs: 0 },
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
    expect(outputs.toolRuns[0]).toMatchObject({ skillId: 'python.run', status: 'completed' });
  }, 60_000);

  it('stops at the step budget and at the token budget', async () => {
    for (let k = 1; k <= 3; k++) stub.chatScript.push(pythonCall(`loop_${k}`, 'print(1)'));
    const steps = await run('analyst');
    expect(steps.envelope.status).toBe('failed');
    expect(steps.envelope.error).toMatchObject({
      code: 'STEP_BUDGET_EXCEEDED',
      message: 'no final answer within 3 model steps',
    });
    expect(steps.outputs.toolRuns).toHaveLength(3);
    expect(stub.chats).toHaveLength(3);

    stub.chatScript.push({ ...pythonCall('big', 'print(1)'), usage: { prompt_tokens: 900, completion_tokens: 200 } });
    const tokens = await run('analyst');
    expect(tokens.envelope.error).toMatchObject({
      code: 'TOKEN_BUDGET_EXCEEDED',
      message: 'the model used 1100 tokens, over the budget of 1000',
    });
    expect(tokens.outputs.toolRuns).toEqual([]);
  }, 60_000);

  it('does not retry a 400, and tells the model about a tool that does not exist', async () => {
    stub.chatScript.push({ status: 400 });
    const rejected = await run('analyst');
    expect(rejected.envelope.error).toMatchObject({ code: 'CHAT_FAILED', retryable: false });
    expect(rejected.outputs.transcript.calls[0]!.attempts).toHaveLength(1);

    stub.chatScript.push(
      { message: { tool_calls: [{ id: 'x', type: 'function', function: { name: 'rm_rf', arguments: '{}' } }] } },
      { message: { content: 'I cannot do that.' } },
    );
    const unknown = await run('analyst');
    expect(unknown.envelope.status).toBe('completed');
    expect(unknown.outputs.toolRuns[0]).toMatchObject({
      tool: 'rm_rf',
      status: 'rejected',
      summary: expect.stringContaining('there is no tool rm_rf'),
    });
  }, 60_000);

  it('says what to configure when there is no model', async () => {
    const bare = await f.open({ endpoints: {} });
    const { envelope } = await run('analyst', bare);
    expect(envelope.error).toMatchObject({ code: 'NO_MODEL', message: expect.stringContaining('endpoints.chatUrl') });
  });
});
