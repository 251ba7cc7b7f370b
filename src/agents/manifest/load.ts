import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { BosunError } from '../../core/index.js';
import { agentManifestSchema, type AgentManifest } from './schema.js';

export type ManifestSource = 'builtin' | 'user';

export interface LoadedManifest {
  manifest: AgentManifest;
  file: string;
  source: ManifestSource;
  /** The built-in manifest file this user manifest replaces (same id). */
  overrides?: string;
}

/** `skills.1.inputSchema.type` → `skills[1] (youtube.summary).inputSchema.type`: the key a person can find. */
function keyOf(issuePath: (string | number)[], raw: unknown): string {
  if (!issuePath.length) return '(root)';
  const [head, index, ...rest] = issuePath;
  if (head === 'skills' && typeof index === 'number') {
    const skills = (raw as { skills?: unknown[] } | null)?.skills;
    const id = (skills?.[index] as { id?: unknown } | undefined)?.id;
    const named = `skills[${index}]${typeof id === 'string' ? ` (${id})` : ''}`;
    return rest.length ? `${named}.${rest.join('.')}` : named;
  }
  return issuePath.join('.');
}

function describeIssues(error: z.ZodError, raw: unknown): string {
  return error.issues.map((i) => `${keyOf(i.path, raw)}: ${i.message}`).join('; ');
}

/** Parses and validates one manifest's text; errors name the file and each bad key. */
export function parseManifest(text: string, file: string): AgentManifest {
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    throw new BosunError('INVALID_INPUT', `${file}: not valid YAML: ${doc.errors[0]!.message}`);
  }
  const raw: unknown = doc.toJS();
  const result = agentManifestSchema.safeParse(raw);
  if (!result.success) {
    throw new BosunError('INVALID_INPUT', `${file}: invalid agent manifest: ${describeIssues(result.error, raw)}`, {
      hint: 'see docs/agents.md for the manifest format',
      details: { file, issues: result.error.issues },
    });
  }
  return result.data;
}

async function manifestFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new BosunError('INVALID_INPUT', `cannot read agent manifests in ${dir}: ${(err as Error).message}`);
  }
  return names
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => path.join(dir, n));
}

export interface LoadManifestsOptions {
  builtinDir: string;
  userDir: string;
  /** Built-in executor modules that exist; a manifest naming another one is an error. */
  builtinModules: readonly string[];
}

/**
 * Loads the built-in manifests, then the user's (a user manifest replaces the built-in one with
 * the same id). Every problem in every file is collected and reported at once, and nothing is
 * returned unless all files are valid: a registry never runs on half of its manifests.
 */
export async function loadManifests(options: LoadManifestsOptions): Promise<LoadedManifest[]> {
  const problems: string[] = [];
  const byId = new Map<string, LoadedManifest>();
  for (const [source, dir] of [
    ['builtin', options.builtinDir],
    ['user', options.userDir],
  ] as const) {
    const inThisDir = new Map<string, string>();
    for (const file of await manifestFiles(dir)) {
      let manifest: AgentManifest;
      try {
        manifest = parseManifest(await fs.readFile(file, 'utf8'), file);
      } catch (err) {
        problems.push((err as Error).message);
        continue;
      }
      const earlier = inThisDir.get(manifest.id);
      if (earlier) {
        problems.push(`${file}: id: agent '${manifest.id}' is already declared in ${earlier}`);
        continue;
      }
      if (manifest.executor.kind === 'builtin' && !options.builtinModules.includes(manifest.executor.module)) {
        problems.push(
          `${file}: executor.module: unknown built-in module '${manifest.executor.module}' (known: ${options.builtinModules.join(', ')})`,
        );
        continue;
      }
      inThisDir.set(manifest.id, file);
      const replaced = byId.get(manifest.id);
      byId.set(manifest.id, { manifest, file, source, ...(replaced ? { overrides: replaced.file } : {}) });
    }
  }
  if (problems.length) {
    throw new BosunError(
      'INVALID_INPUT',
      problems.length === 1 ? problems[0]! : `${problems.length} invalid agent manifests:\n${problems.join('\n')}`,
      {
        hint: `fix or remove the files named above (user manifests live in ${options.userDir})`,
        details: { problems },
      },
    );
  }
  return [...byId.values()].sort((a, b) => a.manifest.id.localeCompare(b.manifest.id));
}
