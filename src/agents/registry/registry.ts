import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BosunError,
  loadConfig,
  parseWith,
  silentLogger,
  WriteBatcher,
  type BosunConfig,
  type BosunPaths,
  type Logger,
} from '../../core/index.js';
import type { Pool } from '../../db/index.js';
import { builtinAgents } from '../builtin/index.js';
import { loadManifests, type LoadedManifest, type ManifestSource } from '../manifest/load.js';
import type { AgentManifest, SkillManifest } from '../manifest/schema.js';
import { createTextScorer, type TextScorer } from '../routing/text-match.js';
import { openLake, type Lake } from '../../lake/index.js';
import type { ResultCache } from '../runtime/cache.js';
import { LakeResultCache } from '../runtime/lake-cache.js';
import type { Endpoints } from '../runtime/types.js';
import { checkAvailability, type Availability } from './availability.js';
import {
  readSkillStats,
  recordRunOutcomes,
  runOutcomeSchema,
  syncRegistry,
  type RunOutcome,
  type SkillStats,
} from './store.js';

export interface RegisteredAgent {
  manifest: AgentManifest;
  source: ManifestSource;
  file: string;
  /** The built-in manifest a user manifest replaces. */
  overrides?: string;
  availability: Availability;
  skillAvailability: ReadonlyMap<string, Availability>;
}

export interface OpenAgentRegistryOptions {
  pool: Pool;
  paths: BosunPaths;
  logger?: Logger;
  /** Chat/transcription endpoints for the agents; default: the configuration under paths.home. */
  endpoints?: Endpoints;
  /** Where the built-in manifests are; default: the repository's agents/ folder. */
  builtinDir?: string;
  /** Default cache for executeAgent; default: the lake table agents.result_cache (opened on first use). */
  cache?: ResultCache;
  /** The configuration agents read (named connections, limits); default: the one under paths.home. */
  config?: BosunConfig;
  /** Opens the lake agents read and write; default: the configured lake over `pool`, opened on first use. */
  lake?: () => Promise<Lake>;
}

/** How long routing trusts the statistics it read: fresh enough, and no query per routed task. */
const STATS_TTL_MS = 2_000;

/** The folder of the package (the one with package.json), found upward from this file in src/ or dist/src/. */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new BosunError('INTERNAL', 'cannot find the Bosun package root (no package.json above the agents module)');
    dir = parent;
  }
  return dir;
}

export function builtinManifestDir(): string {
  return path.join(packageRoot(), 'agents');
}

/** The key of an agent × skill in the statistics map and the text index. */
export const statsKey = (agentId: string, skillId: string) => `${agentId}\u0000${skillId}`;

/**
 * The agents as loaded from their manifests, with what each can do here, synced to PostgreSQL.
 * Holds the BM25 index routing uses and reads run statistics (cached briefly).
 */
export class AgentRegistry {
  private statsCache: { at: number; stats: Map<string, SkillStats> } | null = null;
  private readonly outcomes = new WriteBatcher<RunOutcome>(async (batch) => {
    await recordRunOutcomes(this.pool, batch);
  });
  private readonly byId: Map<string, RegisteredAgent>;

  constructor(
    readonly pool: Pool,
    readonly paths: BosunPaths,
    readonly logger: Logger,
    readonly endpoints: Endpoints,
    readonly cache: ResultCache,
    agents: RegisteredAgent[],
    readonly textScorer: TextScorer,
    readonly config: BosunConfig,
    /** The lake, opened once on first use and shared by every run in this process. */
    readonly lake: () => Promise<Lake>,
  ) {
    this.byId = new Map(agents.map((a) => [a.manifest.id, a]));
  }

  list(): RegisteredAgent[] {
    return [...this.byId.values()];
  }

  get(agentId: string): RegisteredAgent {
    const agent = this.byId.get(agentId);
    if (!agent) {
      throw new BosunError('NOT_FOUND', `no agent '${agentId}'`, {
        hint: `agents: ${[...this.byId.keys()].join(', ')}`,
      });
    }
    return agent;
  }

  skill(
    agentId: string,
    skillId: string,
  ): { agent: RegisteredAgent; skill: SkillManifest; availability: Availability } {
    const agent = this.get(agentId);
    const skill = agent.manifest.skills.find((s) => s.id === skillId);
    if (!skill) {
      throw new BosunError('NOT_FOUND', `agent '${agentId}' has no skill '${skillId}'`, {
        hint: `its skills: ${agent.manifest.skills.map((s) => s.id).join(', ')}`,
      });
    }
    return { agent, skill, availability: agent.skillAvailability.get(skillId) ?? agent.availability };
  }

  /** Runs and successes per agent × skill, read at most every couple of seconds. */
  async stats(): Promise<ReadonlyMap<string, SkillStats>> {
    if (!this.statsCache || Date.now() - this.statsCache.at > STATS_TTL_MS) {
      const rows = await readSkillStats(this.pool);
      this.statsCache = { at: Date.now(), stats: new Map(rows.map((r) => [statsKey(r.agentId, r.skillId), r])) };
    }
    return this.statsCache.stats;
  }

  async statsFor(agentId: string, skillId: string): Promise<SkillStats | undefined> {
    return (await this.stats()).get(statsKey(agentId, skillId));
  }

  /** Makes the next stats() read the database (after recording a run in this process). */
  invalidateStats(): void {
    this.statsCache = null;
  }

  /**
   * Counts a finished run in the statistics. Outcomes that arrive while a write is under way go
   * together in the next one, so a worker's concurrent runs of one skill do not queue on its
   * statistics row one by one. Resolves once written.
   */
  async recordOutcome(outcome: RunOutcome): Promise<void> {
    // Checked here, so that an invalid outcome fails alone rather than the batch it would join.
    await this.outcomes.add(parseWith(runOutcomeSchema, outcome, 'run outcome'));
  }
}

/** The document BM25 indexes for a skill: what a person would write when asking for it. */
function skillText(agent: AgentManifest, skill: SkillManifest): string {
  return [
    skill.id.replace(/[.-]/g, ' '),
    skill.name,
    skill.description,
    skill.tags.join(' '),
    ...skill.examples,
    agent.name,
  ].join('\n');
}

/**
 * Loads the built-in manifests and the user's ($BOSUN_HOME/agents, overriding by id), validates
 * them (every problem, naming file and key), probes their commands, and syncs the result into
 * PostgreSQL.
 */
export async function openAgentRegistry(options: OpenAgentRegistryOptions): Promise<AgentRegistry> {
  const logger = options.logger ?? silentLogger;
  const loaded: LoadedManifest[] = await loadManifests({
    builtinDir: options.builtinDir ?? builtinManifestDir(),
    userDir: options.paths.agents,
    builtinModules: Object.keys(builtinAgents),
  });
  const agents = await Promise.all(
    loaded.map(async (l) => {
      const availability = await checkAvailability(l.manifest);
      if (!availability.agent.available)
        logger.debug({ agent: l.manifest.id, reasons: availability.agent.reasons }, 'agent unavailable');
      return { loaded: l, availability };
    }),
  );
  await syncRegistry(options.pool, agents);
  const registered: RegisteredAgent[] = agents.map(({ loaded: l, availability }) => ({
    manifest: l.manifest,
    source: l.source,
    file: l.file,
    ...(l.overrides ? { overrides: l.overrides } : {}),
    availability: availability.agent,
    skillAvailability: availability.skills,
  }));
  const scorer = createTextScorer(
    registered.flatMap((a) =>
      a.manifest.skills.map((s) => ({ key: statsKey(a.manifest.id, s.id), text: skillText(a.manifest, s) })),
    ),
  );
  const config = options.config ?? loadConfig({ home: options.paths.home }).config;
  const endpoints = options.endpoints ?? config.endpoints;
  const lake =
    options.lake ??
    sharedLake(() => openLake({ pool: options.pool, dataPath: config.lake.dataPath ?? options.paths.lake, logger }));
  const cache = options.cache ?? new LakeResultCache(lake);
  return new AgentRegistry(options.pool, options.paths, logger, endpoints, cache, registered, scorer, config, lake);
}

/** One lake per registry, opened on first use (routing alone never touches it); a failed open is tried again next time. */
function sharedLake(open: () => Promise<Lake>): () => Promise<Lake> {
  let opening: Promise<Lake> | null = null;
  return () => {
    opening ??= open();
    opening.catch(() => {
      opening = null;
    });
    return opening;
  };
}
