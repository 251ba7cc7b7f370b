import { knownTool, probeTool, runCommand, type ToolProbe } from '../../exec/index.js';
import type { AgentManifest, RequiredCommand, SkillManifest } from '../manifest/schema.js';

/** Whether an agent (or one of its skills) can run here, and why not. */
export interface CommandCheck {
  name: string;
  optional: boolean;
  ok: boolean;
  path: string | null;
  version: string | null;
  minVersion: string | null;
  /** Debian package that provides it, when known. */
  package: string | null;
  purpose: string | null;
  problem: string | null;
}

export interface Availability {
  available: boolean;
  /** One line per blocking problem, e.g. "yt-dlp missing (apt-get install -y yt-dlp)". */
  reasons: string[];
  commands: CommandCheck[];
}

/** Probes are cached per process: tools do not appear or vanish between two routings. */
const PROBE_TTL_MS = 5 * 60_000;
const probes = new Map<string, { at: number; result: Promise<ToolProbe> }>();

function cached(key: string, run: () => Promise<ToolProbe>): Promise<ToolProbe> {
  const hit = probes.get(key);
  if (hit && Date.now() - hit.at < PROBE_TTL_MS) return hit.result;
  const result = run();
  probes.set(key, { at: Date.now(), result });
  return result;
}

/** Numeric comparison of the leading dotted part: 2023.03.04 < 2023.11.16, 5.1.6-0+deb12u1 ≥ 5.1. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => (/^\d+(\.\d+)*/.exec(v)?.[0] ?? '0').split('.').map(Number);
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

async function checkCommand(req: RequiredCommand): Promise<CommandCheck> {
  const known = knownTool(req.name);
  const versionArgs = req.versionArgs ?? known?.versionArgs;
  const probe = await cached(`${req.name}\0${(versionArgs ?? []).join(' ')}`, () =>
    probeTool(req.name, versionArgs ? { versionArgs } : {}),
  );
  const pkg = req.package ?? known?.package ?? null;
  const base = {
    name: req.name,
    optional: req.optional,
    path: probe.path,
    version: probe.version,
    minVersion: req.minVersion ?? null,
    package: pkg,
    purpose: req.purpose ?? null,
  };
  const install = pkg ? ` (apt-get install -y ${pkg})` : '';
  if (!probe.path) return { ...base, ok: false, problem: `${req.name} missing${install}` };
  if (!probe.ok) return { ...base, ok: false, problem: `${req.name} does not run: ${probe.error ?? 'unknown error'}` };
  if (req.minVersion && (!probe.version || compareVersions(probe.version, req.minVersion) < 0)) {
    return {
      ...base,
      ok: false,
      problem: `${req.name} ${probe.version ?? '(unknown version)'} is older than ${req.minVersion}${install}`,
    };
  }
  return { ...base, ok: true, problem: null };
}

/** GPUs as `nvidia-smi -L` lists them; a missing driver tool means none. */
async function gpuCheck(): Promise<CommandCheck> {
  const probe = await cached('nvidia-smi -L', async () => {
    const found = await probeTool('nvidia-smi', { versionArgs: ['--version'] });
    if (!found.ok || !found.path) return found;
    const listed = await runCommand(found.path, ['-L'], { timeoutMs: 10_000, maxOutputBytes: 64 * 1024 });
    const gpus = listed.stdout.split('\n').filter((l) => /^GPU \d+:/.test(l)).length;
    return gpus > 0 ? found : { ...found, ok: false, error: 'nvidia-smi lists no GPU' };
  });
  const pkg = knownTool('nvidia-smi')?.package ?? null;
  return {
    name: 'nvidia-smi',
    optional: false,
    ok: probe.ok,
    path: probe.path,
    version: probe.version,
    minVersion: null,
    package: pkg,
    purpose: 'a GPU for resource class gpu',
    problem: probe.ok ? null : `no GPU (${probe.path ? (probe.error ?? 'nvidia-smi failed') : 'nvidia-smi not found'})`,
  };
}

function summarise(commands: CommandCheck[]): Availability {
  const reasons = commands.filter((c) => !c.ok && !c.optional).map((c) => c.problem!);
  return { available: reasons.length === 0, reasons, commands };
}

export interface AgentAvailability {
  agent: Availability;
  skills: Map<string, Availability>;
}

/**
 * Checks an agent's commands (and a GPU for resource class `gpu`): the agent is available when
 * its own required commands are; each skill also needs the commands it adds.
 */
export async function checkAvailability(manifest: AgentManifest): Promise<AgentAvailability> {
  const agentChecks = await Promise.all([
    ...manifest.requires.commands.map(checkCommand),
    ...(manifest.resourceClass === 'gpu' ? [gpuCheck()] : []),
  ]);
  const skills = new Map<string, Availability>();
  await Promise.all(
    manifest.skills.map(async (skill: SkillManifest) => {
      const own = await Promise.all(skill.requires.commands.map(checkCommand));
      skills.set(skill.id, summarise([...agentChecks, ...own]));
    }),
  );
  return { agent: summarise(agentChecks), skills };
}
