import { z } from 'zod';
import { parseWith } from '../../core/index.js';
import type { AgentTier } from '../manifest/schema.js';
import { statsKey, type AgentRegistry, type RegisteredAgent } from '../registry/registry.js';
import type { SkillStats } from '../registry/store.js';
import { detectInputs, type DetectedInput } from './input-kinds.js';
import type { TextMatch } from './text-match.js';

export const routeTaskSchema = z
  .object({
    title: z.string().min(1, 'a task needs a title'),
    description: z.string().optional(),
    skill: z.string().min(1).optional(),
    tags: z.array(z.string().min(1)).optional(),
    inputs: z.record(z.unknown()).default({}),
  })
  .strict();
export type RouteTask = z.input<typeof routeTaskSchema>;

export interface RouteOptions {
  /** Runs in progress per agent id (the PM knows them), compared with each agent's maxConcurrency. */
  load?: Record<string, number>;
}

export interface RouteCandidate {
  agentId: string;
  skillId: string;
  score: number;
  reasons: string[];
}

export interface RouteDecision {
  agentId: string | null;
  skillId: string | null;
  score: number;
  reasons: string[];
  runnersUp: RouteCandidate[];
  waitingReason?: string;
  /** False when nobody can run it automatically: no agent, or an assistant agent that must claim it. */
  automatic: boolean;
}

/**
 * The weights. Relevance decides first: a requested skill beats everything, then a skill that
 * accepts the task's input kind, then tags and text. Tier, track record and load only order
 * skills that are about equally relevant. See docs/agents.md, "Routing".
 */
export const ROUTING_WEIGHTS = {
  explicitSkill: 1000,
  inputKind: 100,
  extraInputKind: 20,
  tag: 10,
  maxTags: 3,
  /** Text points approach maxText as BM25 grows: maxText × bm25 / (bm25 + textHalf), so order is kept and no cap flattens it. */
  maxText: 40,
  textHalf: 4,
  /** A text match alone makes a skill relevant only with this many distinct task words matching: one shared word is chance. */
  minTextTerms: 2,
  tier: { task: 6, domain: 3, general: 0 } satisfies Record<AgentTier, number>,
  /** (success rate, smoothed) − 0.5, times this: −5..+5. */
  trackRecord: 10,
  busy: 15,
  load: 10,
} as const;

const MAX_RUNNERS_UP = 5;
const tierRank: Record<AgentTier, number> = { task: 0, domain: 1, general: 2 };
const round1 = (n: number) => Math.round(n * 10) / 10;

interface Scored extends RouteCandidate {
  available: boolean;
  /** Why it cannot run here (empty when available). */
  blockers: string[];
  tier: AgentTier;
  automatic: boolean;
}

function quoteList(words: string[]): string {
  return words.map((w) => `“${w}”`).join(', ');
}

function scoreSkill(
  agent: RegisteredAgent,
  skillIndex: number,
  task: z.output<typeof routeTaskSchema>,
  detected: DetectedInput[],
  text: TextMatch | undefined,
  stats: SkillStats | undefined,
  running: number,
): Scored | null {
  const m = agent.manifest;
  const skill = m.skills[skillIndex]!;
  const W = ROUTING_WEIGHTS;
  const explicit = task.skill === skill.id;
  if (task.skill !== undefined && !explicit) return null;
  const kinds = detected.filter((d) => skill.accepts.includes(d.kind));
  const tags = (task.tags ?? []).filter((t) => skill.tags.includes(t.toLowerCase()));
  const textRelevant = text !== undefined && text.terms.length >= W.minTextTerms;
  if (!explicit && !kinds.length && !tags.length && !textRelevant) return null;

  let score = 0;
  const reasons: string[] = [];
  if (explicit) {
    score += W.explicitSkill;
    reasons.push(`skill ${skill.id} was requested`);
  }
  if (kinds.length) {
    score += W.inputKind + W.extraInputKind * (kinds.length - 1);
    reasons.push(`skill ${skill.id} matches ${kinds.map((k) => k.label).join(' and ')}`);
  }
  if (tags.length) {
    score += W.tag * Math.min(W.maxTags, tags.length);
    reasons.push(`tag${tags.length > 1 ? 's' : ''} ${tags.join(', ')} match${tags.length > 1 ? '' : 'es'}`);
  }
  if (text) {
    score += (W.maxText * text.score) / (text.score + W.textHalf);
    reasons.push(`text matches ${quoteList(text.terms)}`);
  }
  score += W.tier[m.tier];
  if (m.tier !== 'general') reasons.push(`${m.tier} tier (specialised before general)`);
  if (stats && stats.runs > 0) {
    const smoothed = (stats.successes + 1) / (stats.runs + 2);
    score += W.trackRecord * (smoothed - 0.5);
    reasons.push(`${stats.successes} of ${stats.runs} past runs succeeded`);
  } else {
    reasons.push('no past runs');
  }
  if (running >= m.maxConcurrency) {
    score -= W.busy;
    reasons.push(`busy: ${running} of ${m.maxConcurrency} slots in use`);
  } else if (running > 0) {
    score -= (W.load * running) / m.maxConcurrency;
    reasons.push(`load: ${running} of ${m.maxConcurrency} slots in use`);
  }
  const availability = agent.skillAvailability.get(skill.id) ?? agent.availability;
  if (!availability.available) reasons.push(`skipped, unavailable: ${availability.reasons.join('; ')}`);
  return {
    agentId: m.id,
    skillId: skill.id,
    score: round1(score),
    reasons,
    available: availability.available,
    blockers: availability.reasons,
    tier: m.tier,
    automatic: m.executor.kind !== 'assistant',
  };
}

/** Highest score first; exact ties go to the more specialised tier, then by agent id, then skill id. */
function byPrecedence(a: Scored, b: Scored): number {
  return (
    b.score - a.score ||
    tierRank[a.tier] - tierRank[b.tier] ||
    a.agentId.localeCompare(b.agentId) ||
    a.skillId.localeCompare(b.skillId)
  );
}

const publicCandidate = (c: Scored): RouteCandidate => ({
  agentId: c.agentId,
  skillId: c.skillId,
  score: c.score,
  reasons: c.reasons,
});

/**
 * Scores every skill of every agent for the task and picks the best available one, with the
 * reasons for it and the runners-up (unavailable ones included, marked skipped). Deterministic:
 * the same registry, statistics, load and task give the same decision.
 */
export async function routeTask(
  registry: AgentRegistry,
  task: RouteTask,
  options: RouteOptions = {},
): Promise<RouteDecision> {
  const t = parseWith(routeTaskSchema, task, 'task to route');
  const detected = detectInputs(t);
  const textMatches = registry.textScorer.score([t.title, t.description ?? '', ...(t.tags ?? [])].join('\n'));
  const stats = await registry.stats();
  const scored: Scored[] = [];
  for (const agent of registry.list()) {
    const running = options.load?.[agent.manifest.id] ?? 0;
    agent.manifest.skills.forEach((skill, i) => {
      const key = statsKey(agent.manifest.id, skill.id);
      const s = scoreSkill(agent, i, t, detected, textMatches.get(key), stats.get(key), running);
      if (s) scored.push(s);
    });
  }
  scored.sort(byPrecedence);
  const winner = scored.find((s) => s.available);
  const skipped = scored.filter((s) => !s.available);
  // The best of the rest, unavailable ones included where they rank (their reasons say they were skipped).
  const runnersUp = scored
    .filter((s) => s !== winner)
    .slice(0, MAX_RUNNERS_UP)
    .map(publicCandidate);
  if (!winner) {
    return {
      agentId: null,
      skillId: null,
      score: 0,
      reasons: [],
      runnersUp,
      waitingReason: whyNoAgent(t, detected, skipped),
      automatic: false,
    };
  }
  return {
    agentId: winner.agentId,
    skillId: winner.skillId,
    score: winner.score,
    reasons: winner.reasons,
    runnersUp,
    ...(winner.automatic
      ? {}
      : {
          waitingReason: `agent ${winner.agentId} is an assistant: the task waits to be claimed by a person or an AI assistant`,
        }),
    automatic: winner.automatic,
  };
}

function whyNoAgent(task: z.output<typeof routeTaskSchema>, detected: DetectedInput[], skipped: Scored[]): string {
  if (skipped.length) {
    const first = skipped[0]!;
    return `no available agent: ${first.agentId} (${first.skillId}) would match but is unavailable: ${first.blockers.join('; ')}`;
  }
  if (task.skill) return `no agent offers skill '${task.skill}'`;
  const inputs = detected.length
    ? `no skill accepts ${detected.map((d) => d.label).join(' or ')}`
    : 'no input of a kind skills accept';
  return `no agent skill matches the task: no skill requested, ${inputs}, and no tag or text match`;
}

/** One line for people: "youtube: skill youtube.transcript matches a youtube.com URL; 2 of 2 past runs succeeded". */
export function describeRoute(decision: RouteDecision): string {
  if (!decision.agentId) return `waiting: ${decision.waitingReason ?? 'no agent'}`;
  return `${decision.agentId}: ${decision.reasons.join('; ')}`;
}
