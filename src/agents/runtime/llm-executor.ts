import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError, isBosunError } from '../../core/index.js';
import { chatWithTools, type Attempt, type ToolDefinition, type ToolMessage } from '../endpoints/chat-tools.js';
import { apiKeyOf } from '../endpoints/openai.js';
import { artifactFromFile, completedEnvelope, failedEnvelope, type ResultEnvelope } from '../envelope.js';
import type { ExecutorSpec } from '../manifest/schema.js';
import type { AgentRegistry, RegisteredAgent } from '../registry/registry.js';
import type { AgentContext, AgentExecutor } from './types.js';

/**
 * The language-model executor (`executor: { kind: llm, tools: [...] }`): the OpenAI
 * chat-completions loop with tools. The tools are the skills the manifest names, described by
 * their JSON schemas; each call the model makes runs through the normal runtime as a child run
 * (input validation, sandbox, envelope), and its envelope goes back to the model. The loop stops
 * at a final answer, or at the step or token budget. Every message and every HTTP attempt is
 * recorded in the envelope's `transcript` and in `llm/transcript.json`, so a run can be replayed.
 */
type LlmSpec = Extract<ExecutorSpec, { kind: 'llm' }>;

/** Runs one skill as a child of the current run (executeAgent, passed in to avoid an import cycle). */
export type RunChild = (
  agentId: string,
  skillId: string,
  input: Record<string, unknown>,
  workDir: string,
  ctx: AgentContext,
) => Promise<ResultEnvelope>;

/** OpenAI function names allow [a-zA-Z0-9_-]: `python.run` is offered as `python__run`. */
const toolName = (skillId: string) => skillId.replace(/\./g, '__');
const TOOL_RESULT_CHARS = 8_000;

interface CallRecord {
  step: number;
  attempts: Attempt[];
  finishReason: string | null;
  promptTokens: number;
  completionTokens: number;
}

interface ToolRun {
  step: number;
  tool: string;
  agentId: string | null;
  skillId: string | null;
  status: string;
  summary: string;
}

function toolsFor(registry: AgentRegistry, skills: readonly string[]) {
  const offered = new Map<string, { agent: RegisteredAgent; skillId: string; definition: ToolDefinition }>();
  for (const skillId of skills) {
    const agent = registry.list().find((a) => a.manifest.skills.some((s) => s.id === skillId));
    if (!agent)
      throw new BosunError('INVALID_INPUT', `the model's tool ${skillId} is not a skill of any agent`, {
        hint: 'fix executor.tools in the manifest',
        details: { retryable: false },
      });
    const skill = agent.manifest.skills.find((s) => s.id === skillId)!;
    offered.set(toolName(skillId), {
      agent,
      skillId,
      definition: {
        type: 'function',
        function: { name: toolName(skillId), description: skill.description, parameters: skill.inputSchema },
      },
    });
  }
  return offered;
}

/** What the model sees of a child run: status, summary, outputs and error, clipped. */
function toolResult(envelope: ResultEnvelope): string {
  const text = JSON.stringify({
    status: envelope.status,
    summary: envelope.summary,
    outputs: envelope.outputs,
    ...(envelope.error ? { error: envelope.error } : {}),
  });
  return text.length > TOOL_RESULT_CHARS ? `${text.slice(0, TOOL_RESULT_CHARS)}… (clipped)` : text;
}

export function llmExecutor(
  spec: LlmSpec,
  agent: RegisteredAgent,
  registry: AgentRegistry,
  runChild: RunChild,
): AgentExecutor {
  return {
    async run(ctx) {
      const { chatUrl, chatModel } = ctx.endpoints;
      if (!chatUrl || !chatModel) {
        return failedEnvelope({
          code: 'NO_MODEL',
          message: `${agent.manifest.id} needs a language model: set endpoints.chatUrl and endpoints.chatModel (any OpenAI-compatible server: Ollama, llama.cpp, vLLM, a hosted API)`,
          retryable: false,
        });
      }
      const key = apiKeyOf(ctx.endpoints);
      const tools = toolsFor(registry, spec.tools);
      const skill = agent.manifest.skills.find((s) => s.id === ctx.skillId)!;
      const messages: ToolMessage[] = [
        {
          role: 'system',
          content: [
            `You are Bosun's ${agent.manifest.name} agent: ${agent.manifest.description}`,
            `Your task is the skill ${skill.id}: ${skill.description}`,
            tools.size
              ? 'Use the tools when they help; each returns a JSON result envelope. Reply with your final answer as plain text.'
              : 'Reply with your final answer as plain text.',
            ...(spec.system ? [spec.system] : []),
          ].join('\n'),
        },
        { role: 'user', content: JSON.stringify(ctx.input) },
      ];
      const calls: CallRecord[] = [];
      const toolRuns: ToolRun[] = [];
      let tokens = 0;
      const dir = path.join(ctx.workDir, 'llm');
      await fs.mkdir(dir, { recursive: true });

      const finish = async (outcome: {
        answer?: string;
        error?: { code: string; message: string; retryable: boolean };
      }) => {
        const usage = {
          promptTokens: calls.reduce((s, c) => s + c.promptTokens, 0),
          completionTokens: calls.reduce((s, c) => s + c.completionTokens, 0),
          totalTokens: tokens,
        };
        const transcript = { model: chatModel, endpoint: chatUrl, messages, calls, toolRuns, usage };
        const file = path.join(dir, 'transcript.json');
        await fs.writeFile(file, `${JSON.stringify(transcript, null, 2)}\n`);
        const parts = {
          outputs: {
            answer: outcome.answer ?? null,
            model: chatModel,
            steps: calls.length,
            toolRuns,
            usage,
            transcript,
          },
          artifacts: [await artifactFromFile(file, 'application/json', 'llm/transcript.json')],
          metrics: { steps: calls.length, toolCalls: toolRuns.length, tokens },
        };
        if (outcome.error) return failedEnvelope(outcome.error, parts);
        const first = outcome.answer!.trim().split('\n')[0]!;
        return completedEnvelope({ summary: first.length > 200 ? `${first.slice(0, 200)}…` : first, ...parts });
      };

      for (let step = 1; step <= spec.maxSteps; step++) {
        ctx.progress({ message: `model step ${step}`, fraction: (step - 1) / spec.maxSteps });
        let turn;
        try {
          turn = await chatWithTools({
            baseUrl: chatUrl,
            ...(key ? { apiKey: key } : {}),
            model: chatModel,
            messages,
            tools: [...tools.values()].map((t) => t.definition),
            stream: spec.stream,
            signal: ctx.signal,
          });
        } catch (err) {
          if (!isBosunError(err) || err.code !== 'CHAT_FAILED') throw err;
          calls.push({
            step,
            attempts: (err.details?.attempts as Attempt[]) ?? [],
            finishReason: null,
            promptTokens: 0,
            completionTokens: 0,
          });
          return finish({
            error: { code: 'CHAT_FAILED', message: err.message, retryable: err.details?.retryable === true },
          });
        }
        calls.push({
          step,
          attempts: turn.attempts,
          finishReason: turn.finishReason,
          promptTokens: turn.promptTokens,
          completionTokens: turn.completionTokens,
        });
        tokens += turn.promptTokens + turn.completionTokens;
        messages.push(turn.message);
        if (tokens > spec.maxTokens) {
          return finish({
            error: {
              code: 'TOKEN_BUDGET_EXCEEDED',
              message: `the model used ${tokens} tokens, over the budget of ${spec.maxTokens}`,
              retryable: false,
            },
          });
        }
        const requested = turn.message.tool_calls ?? [];
        if (!requested.length) {
          if (!turn.message.content?.trim())
            return finish({
              error: { code: 'EMPTY_ANSWER', message: 'the model ended without an answer', retryable: true },
            });
          return finish({ answer: turn.message.content });
        }
        for (const [k, call] of requested.entries()) {
          const tool = tools.get(call.function.name);
          let content: string;
          let record: ToolRun = {
            step,
            tool: call.function.name,
            agentId: null,
            skillId: null,
            status: 'rejected',
            summary: '',
          };
          let input: unknown;
          try {
            input = JSON.parse(call.function.arguments || '{}');
          } catch {
            input = undefined;
          }
          if (!tool) {
            content = JSON.stringify({
              status: 'rejected',
              error: `there is no tool ${call.function.name}; the tools are ${[...tools.keys()].join(', ')}`,
            });
          } else if (!input || typeof input !== 'object' || Array.isArray(input)) {
            content = JSON.stringify({ status: 'rejected', error: 'the arguments are not a JSON object' });
            record = { ...record, agentId: tool.agent.manifest.id, skillId: tool.skillId };
          } else {
            ctx.progress({ message: `tool ${tool.skillId}` });
            const childDir = path.join(ctx.workDir, 'tools', `${step}-${k + 1}-${tool.skillId}`);
            const envelope = await runChild(
              tool.agent.manifest.id,
              tool.skillId,
              input as Record<string, unknown>,
              childDir,
              ctx,
            );
            content = toolResult(envelope);
            record = {
              step,
              tool: call.function.name,
              agentId: tool.agent.manifest.id,
              skillId: tool.skillId,
              status: envelope.status,
              summary: envelope.summary,
            };
          }
          if (!record.summary) record.summary = (JSON.parse(content) as { error: string }).error;
          toolRuns.push(record);
          messages.push({ role: 'tool', tool_call_id: call.id, content });
        }
      }
      return finish({
        error: {
          code: 'STEP_BUDGET_EXCEEDED',
          message: `no final answer within ${spec.maxSteps} model steps`,
          retryable: false,
        },
      });
    },
  };
}
