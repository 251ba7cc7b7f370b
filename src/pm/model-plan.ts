import { z } from 'zod';
import { BosunError, formatZodIssues, isBosunError } from '../core/index.js';
import {
  apiKeyOf,
  chatWithTools,
  type ChatAttempt,
  type Endpoints,
  type JsonSchema,
  type ToolMessage,
} from '../agents/index.js';
import type { PmContext } from './context.js';
import { topologicalOrder } from './dag.js';
import { insertNote } from './notes.js';
import { draftKeySchema, planTasks, type TaskDraft } from './plan.js';
import { getProject } from './projects.js';
import { isKnownSkill } from './skills.js';
import type { Task } from './tasks.js';
import { pmTransaction } from './transaction.js';

/**
 * `bosun project plan`: a language model turns a brief into tasks. The model proposes, Bosun
 * disposes: its plan is checked here (known skills, dependencies that exist and do not loop,
 * every required input given) and, when it fails, sent back once with the reasons. Only a plan
 * that passes is added, through the same `addTasks` every other path uses.
 */

export interface ChatEndpoint {
  baseUrl: string;
  model: string;
  apiKey?: string;
}

/** The configured chat endpoint, its key read from the environment variable named for it; null when there is none. */
export function chatEndpointOf(endpoints: Endpoints): ChatEndpoint | null {
  if (!endpoints.chatUrl || !endpoints.chatModel) return null;
  const apiKey = apiKeyOf(endpoints);
  return { baseUrl: endpoints.chatUrl, model: endpoints.chatModel, ...(apiKey ? { apiKey } : {}) };
}

/** A skill as the planner offers it: what the registry's manifests declare. */
export interface PlannableSkill {
  id: string;
  description: string;
  inputSchema: JsonSchema;
}

export interface PlanAttempt {
  answer: string | null;
  /** Why the plan was refused; empty for the accepted one. */
  problems: string[];
  calls: ChatAttempt[];
}

export interface ModelPlan {
  tasks: Task[];
  model: string;
  attempts: PlanAttempt[];
  /** Every message sent and received, for a person to replay what happened. */
  transcript: ToolMessage[];
}

/** Two answers at most: the first, and one correction with the reasons it was refused. */
const MAX_ANSWERS = 2;

const proposalSchema = z.object({
  tasks: z
    .array(
      z.object({
        key: draftKeySchema,
        title: z.string().trim().min(1).max(500),
        description: z.string().max(20_000).optional(),
        skill: z.string().min(1),
        inputs: z.record(z.unknown()).default({}),
        dependsOn: z.array(z.string().min(1)).default([]),
      }),
    )
    .min(1, 'a plan has at least one task')
    .max(100),
});

export async function planProjectWithModel(
  pm: PmContext,
  request: {
    slug: string;
    brief: string;
    skills: readonly PlannableSkill[];
    chat: ChatEndpoint | null;
    signal?: AbortSignal;
  },
): Promise<ModelPlan> {
  const { chat } = request;
  if (!chat) {
    throw new BosunError('NO_MODEL', 'planning from a brief needs a language model, and none is configured', {
      hint: 'set endpoints.chatUrl and endpoints.chatModel (Ollama, llama.cpp, vLLM or a hosted API), or start from a template: `bosun templates list`, then `bosun project new <slug> --template <id>`',
    });
  }
  if (!request.brief.trim()) throw new BosunError('INVALID_INPUT', 'the brief is empty');
  const project = await getProject(pm.pool, request.slug);
  const skills = request.skills.filter((s) => isKnownSkill(s.id));

  const transcript: ToolMessage[] = [
    { role: 'system', content: systemPrompt(skills) },
    { role: 'user', content: `Project ${project.slug} (${project.name}).\n\nBrief:\n${request.brief.trim()}` },
  ];
  const attempts: PlanAttempt[] = [];
  for (let n = 1; n <= MAX_ANSWERS; n++) {
    const turn = await chatWithTools({
      baseUrl: chat.baseUrl,
      model: chat.model,
      ...(chat.apiKey ? { apiKey: chat.apiKey } : {}),
      messages: transcript,
      tools: [],
      stream: false,
      ...(request.signal ? { signal: request.signal } : {}),
    }).catch((err: unknown) => {
      if (isBosunError(err) && err.code === 'CHAT_FAILED') {
        throw new BosunError('ENDPOINT_UNAVAILABLE', err.message, {
          hint: `check that ${chat.baseUrl} serves ${chat.model}`,
          details: { attempts: [...attempts, { answer: null, problems: [], calls: err.details?.attempts ?? [] }] },
        });
      }
      throw err;
    });
    const answer = turn.message.content ?? '';
    transcript.push({ role: 'assistant', content: answer });
    const checked = checkProposal(answer, skills);
    attempts.push({ answer, problems: checked.problems, calls: turn.attempts });
    if (!checked.problems.length) {
      const tasks = await planTasks(pm, project.slug, checked.drafts);
      await pmTransaction(pm, async (tx) =>
        insertNote(tx, {
          projectId: project.id,
          kind: 'decision',
          body: planNote(chat.model, tasks, attempts),
        }),
      );
      return { tasks, model: chat.model, attempts, transcript };
    }
    transcript.push({
      role: 'user',
      content: `That plan cannot be used:\n${checked.problems.map((p) => `- ${p}`).join('\n')}\nAnswer again with the whole corrected plan, as JSON only.`,
    });
  }
  const problems = attempts.at(-1)!.problems;
  throw new BosunError('PLAN_REJECTED', `the model's plan was refused ${MAX_ANSWERS} times: ${problems.join('; ')}`, {
    hint: 'nothing was added; refine the brief, or add the tasks with `bosun task add`',
    details: { problems, attempts, transcript },
  });
}

function systemPrompt(skills: readonly PlannableSkill[]): string {
  const catalogue = skills.map((s) => {
    const props = Object.keys(s.inputSchema.properties ?? {});
    const required = requiredSets(s.inputSchema)
      .map((set) => set.join(' + '))
      .filter(Boolean);
    return `- ${s.id}: ${s.description}${props.length ? ` Inputs: ${props.join(', ')}.` : ''}${required.length ? ` Required: ${required.join(' or ')}.` : ''}`;
  });
  return [
    "You plan projects for Bosun, a freelance data engineer's workflow tool. Turn the brief into tasks.",
    'Answer with JSON only, no prose, in this shape:',
    '{"tasks":[{"key":"fetch","title":"…","description":"…","skill":"<one of the skills>","inputs":{…},"dependsOn":["<keys of earlier tasks>"]}]}',
    'Keys are lowercase words (letters, digits, _ and -). Give every required input; a later task may use an earlier one\'s output as "{{ steps.<key>.outputs.<name> }}". No dependency cycles.',
    'Skills:',
    ...catalogue,
  ].join('\n');
}

/** The alternatives of required keys a schema accepts: its own `required`, times each `oneOf`/`anyOf` branch. */
function requiredSets(schema: JsonSchema): string[][] {
  const base = schema.required ?? [];
  const branches = schema.oneOf ?? schema.anyOf ?? [];
  return branches.length ? branches.map((b) => [...base, ...(b.required ?? [])]) : [base];
}

function checkProposal(answer: string, skills: readonly PlannableSkill[]): { drafts: TaskDraft[]; problems: string[] } {
  const json = /\{[\s\S]*\}/.exec(answer.replace(/```(?:json)?/g, ''))?.[0];
  let raw: unknown;
  try {
    raw = JSON.parse(json ?? '');
  } catch {
    return { drafts: [], problems: [`the answer is not a JSON object: ${answer.slice(0, 120)}`] };
  }
  const parsed = proposalSchema.safeParse(raw);
  if (!parsed.success) return { drafts: [], problems: [formatZodIssues(parsed.error)] };
  const proposed = parsed.data.tasks;
  const problems: string[] = [];
  const byId = new Map(skills.map((s) => [s.id, s]));
  const keys = new Set<string>();
  for (const t of proposed) {
    if (keys.has(t.key)) problems.push(`task key '${t.key}' is used twice`);
    keys.add(t.key);
  }
  for (const t of proposed) {
    const skill = byId.get(t.skill);
    if (!skill) {
      problems.push(`task ${t.key}: unknown skill '${t.skill}' (use one of ${[...byId.keys()].join(', ')})`);
    } else {
      const sets = requiredSets(skill.inputSchema);
      if (!sets.some((set) => set.every((k) => k in t.inputs))) {
        problems.push(
          `task ${t.key}: ${t.skill} needs the input(s) ${sets.map((set) => set.join(' + ')).join(' or ')}`,
        );
      }
    }
    for (const d of t.dependsOn)
      if (!keys.has(d)) problems.push(`task ${t.key} depends on '${d}', which the plan does not have`);
  }
  try {
    topologicalOrder(proposed, 'the plan');
  } catch (err) {
    if (!isBosunError(err)) throw err;
    problems.push(err.message);
  }
  const drafts = proposed.map((t) => ({
    key: t.key,
    title: t.title,
    ...(t.description ? { description: t.description } : {}),
    skill: t.skill,
    inputs: t.inputs,
    dependsOn: t.dependsOn,
  }));
  return { drafts, problems };
}

function planNote(model: string, tasks: readonly Task[], attempts: readonly PlanAttempt[]): string {
  const refused = attempts.filter((a) => a.problems.length);
  return [
    `Planned from the brief by ${model}: ${tasks.length} task(s) (${tasks.map((t) => t.ref).join(', ')}).`,
    ...refused.map((a, i) => `Answer ${i + 1} was refused: ${a.problems.join('; ')}.`),
  ].join('\n');
}
