import { z } from 'zod';
import { SANDBOX_LIMITS } from '../../exec/index.js';
import { jsonSchemaSchema, type JsonSchema } from './json-schema.js';

/**
 * An agent manifest: who the agent is, the skills it offers in the shape of A2A `AgentSkill`s
 * (id, name, description, tags, examples, inputModes, outputModes) plus Bosun's extension
 * fields (JSON schemas, the input kinds it accepts, required commands, limits, cost hints), and
 * how it runs (its executor).
 */

export const agentTiers = ['task', 'domain', 'general'] as const;
export type AgentTier = (typeof agentTiers)[number];

/**
 * What routing recognises in a task's inputs. Each value is classified as one kind only, the
 * most specific (a youtube.com URL is `youtube-url`, not also `web-url`; a URL ending in .pdf is
 * `pdf`), so two skills match the same input only when both accept that exact kind.
 */
export const inputKinds = [
  'youtube-url',
  'web-url',
  'pdf',
  'image',
  'audio',
  'video',
  'python-file',
  'notebook',
  'sql-file',
  'cuda-file',
  'tabular-file',
] as const;
export type InputKind = (typeof inputKinds)[number];

const agentId = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,62}$/,
    'use lowercase letters, digits and hyphens, starting with a letter (it names Claude Code subagents too)',
  );
const skillId = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/,
    'use dotted lowercase words such as youtube.transcript or infra.mcp_scaffold',
  );
const mediaType = z.string().regex(/^[\w.+-]+\/[\w.*+-]+$/, 'expected a media type such as text/plain');
const version = z.string().regex(/^\d+(\.\d+)*([-+][0-9A-Za-z.-]+)?$/, 'expected a version such as 1.2.0');
const positiveSeconds = z
  .number()
  .int()
  .min(1)
  .max(7 * 24 * 3600);

export const requiredCommandSchema = z
  .object({
    name: z.string().regex(/^[\w.+-]+$/, 'a command name, not a path or a command line'),
    minVersion: version.optional(),
    /** Arguments that print the version; default from the known tools list, else --version. */
    versionArgs: z.array(z.string()).optional(),
    /** Debian package to install; default from the known tools list. */
    package: z.string().optional(),
    /** Needed for part of the work only: missing, the agent stays usable and `agents check` says what is lost. */
    optional: z.boolean().default(false),
    purpose: z.string().optional(),
  })
  .strict();
export type RequiredCommand = z.infer<typeof requiredCommandSchema>;

const requirementsSchema = z
  .object({ commands: z.array(requiredCommandSchema).default([]) })
  .strict()
  .default({});

const objectSchema = jsonSchemaSchema.refine(
  (s) => s.type === 'object' || (Array.isArray(s.type) && s.type.includes('object')),
  'the root of an input or output schema must be of type object',
);

export const costHintSchema = z
  .object({
    /** Typical wall time of one run. */
    seconds: z.number().min(0).optional(),
    /** Typical money spent on external APIs per run. */
    usd: z.number().min(0).optional(),
    /** Typical model tokens per run. */
    tokens: z.number().int().min(0).optional(),
  })
  .strict();

export const skillSchema = z
  .object({
    // A2A AgentSkill fields.
    id: skillId,
    name: z.string().min(1),
    description: z.string().min(1),
    tags: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'tags are lowercase words or hyphenated words')).default([]),
    examples: z.array(z.string().min(1)).default([]),
    inputModes: z.array(mediaType).default(['application/json']),
    outputModes: z.array(mediaType).default(['application/json']),
    // Bosun's extensions.
    accepts: z.array(z.enum(inputKinds)).default([]),
    inputSchema: objectSchema.default({ type: 'object' }),
    outputSchema: objectSchema.default({ type: 'object' }),
    requires: requirementsSchema,
    timeoutSeconds: positiveSeconds.optional(),
    cost: costHintSchema.default({}),
    /** Completed results are reused for the same input unless the caller asks otherwise. */
    cacheable: z.boolean().default(true),
  })
  .strict();
export type SkillManifest = z.infer<typeof skillSchema>;

export const executorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('builtin'), module: z.string().regex(/^[a-z][a-z0-9-]*$/) }).strict(),
  z
    .object({
      kind: z.literal('command'),
      /** Run as is (no shell): the input arrives as JSON on stdin, the envelope is printed on stdout. */
      argv: z.array(z.string().min(1)).min(1),
      /** Environment variables passed through from Bosun's environment, beyond the defaults. */
      envAllowlist: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).default([]),
    })
    .strict(),
  z.object({ kind: z.literal('assistant') }).strict(),
  z
    .object({
      /** A language model on the configured OpenAI-compatible endpoint, with Bosun's skills as its tools. */
      kind: z.literal('llm'),
      /** The skills (by id) the model may call; each call is a child run with its own envelope. */
      tools: z.array(skillId).default([]),
      /** Extra instructions, after the agent's and the skill's descriptions. */
      system: z.string().optional(),
      /** Model calls at most, tool rounds included. */
      maxSteps: z.number().int().min(1).max(100).default(8),
      /** Prompt + completion tokens at most, over all calls. */
      maxTokens: z.number().int().min(100).default(50_000),
      stream: z.boolean().default(false),
    })
    .strict(),
]);
export type ExecutorSpec = z.infer<typeof executorSchema>;

export const agentManifestSchema = z
  .object({
    id: agentId,
    name: z.string().min(1),
    tier: z.enum(agentTiers),
    description: z.string().min(1),
    version,
    skills: z.array(skillSchema).min(1, 'an agent offers at least one skill'),
    executor: executorSchema,
    resourceClass: z.enum(['cpu', 'gpu', 'net']).default('cpu'),
    maxConcurrency: z.number().int().min(1).max(1024).default(1),
    defaultTimeoutSeconds: positiveSeconds.default(600),
    requires: requirementsSchema,
    provider: z
      .object({ organization: z.string().min(1), url: z.string().url().optional() })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.skills.forEach((s, i) => {
      if (seen.has(s.id))
        ctx.addIssue({ code: 'custom', path: ['skills', i, 'id'], message: `duplicate skill id '${s.id}'` });
      seen.add(s.id);
      // Inputs that reach the sandbox's limits must be bounded by them, so a task cannot ask for 256 GB.
      for (const [key, cap] of [
        ['memoryMb', SANDBOX_LIMITS.memoryMb.max],
        ['maxProcesses', SANDBOX_LIMITS.maxProcesses.max],
        ['cpus', SANDBOX_LIMITS.cpus.max],
      ] as const) {
        const prop = s.inputSchema.properties?.[key];
        if (prop && (prop.maximum === undefined || prop.maximum > cap))
          ctx.addIssue({
            code: 'custom',
            path: ['skills', i, 'inputSchema', 'properties', key, 'maximum'],
            message: `${key} needs a maximum of at most ${cap} (the sandbox's limit)`,
          });
      }
    });
  });
export type AgentManifest = z.infer<typeof agentManifestSchema>;

export type { JsonSchema };
