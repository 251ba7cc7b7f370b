import fs from 'node:fs';
import { z } from 'zod';
import YAML from 'yaml';
import { BosunError } from './errors.js';
import { assertPrivateFile, writePrivateFile } from './secrets.js';
import { formatZodIssues } from './zod.js';
import { bosunPaths, expandTilde, resolveHome, type BosunPaths } from './paths.js';

const logLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

/**
 * The whole configuration. Every leaf can be set in `$BOSUN_HOME/config.yaml`, overridden by
 * `BOSUN_<SECTION>_<KEY>` (e.g. `BOSUN_DATABASE_URL`, `BOSUN_LAKE_DATA_PATH`), and by flags.
 */
export const configSchema = z
  .object({
    database: z
      .object({
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
          .optional()
          .describe('external PostgreSQL (>= 15); unset = embedded server'),
        poolSize: z.number().int().min(1).max(100).default(10).describe('connections per process'),
      })
      .strict()
      .default({}),
    postgres: z
      .object({
        port: z
          .number()
          .int()
          .min(0)
          .max(65535)
          .default(0)
          .describe('embedded server port; 0 = a free port chosen at first start'),
      })
      .strict()
      .default({}),
    lake: z
      .object({
        dataPath: z.string().min(1).optional().describe('lake data files; default $BOSUN_HOME/lake'),
      })
      .strict()
      .default({}),
    log: z
      .object({ level: logLevel.default('info').describe('log level (logs go to stderr)') })
      .strict()
      .default({}),
    worker: z
      .object({
        concurrency: z.number().int().min(1).max(256).default(4).describe('jobs run at once by one worker'),
        deadAfterSeconds: z
          .number()
          .int()
          .min(3)
          .max(3600)
          .default(30)
          .describe('a worker silent this long is dead: its jobs are retried elsewhere'),
      })
      .strict()
      .default({}),
    mcp: z
      .object({
        tokenBudget: z.number().int().min(200).max(200000).default(5000).describe('max tokens per tool response'),
        token: z.string().min(16).optional().describe('bearer token required by HTTP servers (or BOSUN_MCP_TOKEN)'),
        tokenFile: z.string().min(1).optional().describe('a 0600 file holding the bearer token (instead of mcp.token)'),
      })
      .strict()
      .default({}),
    sandbox: z
      .object({
        allowUnconfined: z
          .boolean()
          .default(false)
          .describe('run untrusted code without isolation where bubblewrap cannot work (unsafe)'),
      })
      .strict()
      .default({}),
    connections: z
      .record(
        z.string().regex(/^[A-Za-z][\w-]*$/, 'a connection name is a letter then letters, digits, _ or -'),
        z
          .object({
            url: z
              .string()
              .min(1)
              .describe(
                'postgres://… or duckdb:<file>; ${VAR} is read from the environment when the connection is used',
              ),
          })
          .strict(),
      )
      .refine((c) => !('bosun' in c), "'bosun' is Bosun's own database; name the connection otherwise")
      .default({})
      .describe('named databases for the sql and data agents (connections.<name>.url)'),
    endpoints: z
      .object({
        chatUrl: z.string().url().optional().describe('OpenAI-compatible chat endpoint base URL'),
        chatModel: z.string().optional(),
        embeddingsUrl: z.string().url().optional().describe('OpenAI-compatible embeddings endpoint base URL'),
        embeddingsModel: z.string().optional(),
        transcriptionUrl: z.string().url().optional().describe('OpenAI-compatible transcription endpoint base URL'),
        transcriptionModel: z.string().optional(),
        apiKey: z.string().optional(),
        apiKeyEnv: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
          .optional()
          .describe('the environment variable that holds the API key (the key stays out of the config file)'),
      })
      .strict()
      .default({}),
  })
  .strict();

export type BosunConfig = z.infer<typeof configSchema>;

/** Keys whose values are secrets: masked when shown, and the file holding them must be private. */
export const SECRET_CONFIG_KEYS = ['database.url', 'mcp.token', 'endpoints.apiKey'] as const;

export interface LoadedConfig {
  config: BosunConfig;
  paths: BosunPaths;
  /** Where each leaf came from, for `bosun config show`. */
  sources: Record<string, 'default' | 'file' | 'env' | 'flag'>;
}

export interface LoadConfigOptions {
  home?: string;
  env?: NodeJS.ProcessEnv;
  /** Flag overrides as dotted keys, e.g. `{ 'database.url': '…' }`. */
  overrides?: Record<string, unknown>;
}

interface Leaf {
  key: string;
  schema: z.ZodTypeAny;
  env: string;
}

function unwrap(schema: z.ZodTypeAny): z.ZodTypeAny {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodEffects) {
    s = (s instanceof z.ZodEffects ? s.innerType() : s._def.innerType) as z.ZodTypeAny;
  }
  return s;
}

/** Every settable key with its schema and environment variable name. */
export function configLeaves(): Leaf[] {
  const leaves: Leaf[] = [];
  const walk = (schema: z.ZodTypeAny, prefix: string[]) => {
    const inner = unwrap(schema);
    if (inner instanceof z.ZodObject) {
      for (const [k, v] of Object.entries(inner.shape as Record<string, z.ZodTypeAny>)) walk(v, [...prefix, k]);
      return;
    }
    const env = 'BOSUN_' + prefix.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
    leaves.push({ key: prefix.join('.'), schema, env });
  };
  walk(configSchema, []);
  return leaves;
}

function findLeaf(key: string): Leaf {
  const leaf = configLeaves().find((l) => l.key === key);
  if (!leaf) {
    throw new BosunError('INVALID_INPUT', `unknown config key '${key}'`, {
      hint: `known keys: ${configLeaves()
        .map((l) => l.key)
        .join(', ')}`,
    });
  }
  return leaf;
}

/** Turns a string from the environment or the command line into the leaf's type. */
export function coerceConfigValue(key: string, raw: string): unknown {
  const inner = unwrap(findLeaf(key).schema);
  if (inner instanceof z.ZodNumber) {
    const n = Number(raw);
    return raw.trim() === '' || Number.isNaN(n) ? raw : n;
  }
  if (inner instanceof z.ZodBoolean) {
    if (/^(true|1|yes|on)$/i.test(raw)) return true;
    if (/^(false|0|no|off)$/i.test(raw)) return false;
  }
  return raw;
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

export function getPath(source: unknown, key: string): unknown {
  let node: unknown = source;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** A token, an API key, or a database URL with a password in it. */
function holdsSecret(file: Record<string, unknown>): boolean {
  return SECRET_CONFIG_KEYS.some((key) => {
    const value = getPath(file, key);
    if (key !== 'database.url' || typeof value !== 'string') return value !== undefined;
    return /^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(value);
  });
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new BosunError('INVALID_CONFIG', `cannot read ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = YAML.parse(text);
  } catch (err) {
    throw new BosunError('INVALID_CONFIG', `${file} is not valid YAML: ${(err as Error).message}`, {
      hint: 'fix the file or run `bosun config show` after removing it',
    });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new BosunError('INVALID_CONFIG', `${file} must hold a mapping of sections (database:, lake:, …)`);
  }
  if (holdsSecret(parsed as Record<string, unknown>)) assertPrivateFile(file, 'the config file');
  return parsed as Record<string, unknown>;
}

/** Loads file, then environment, then flags; validates the merged result. */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const paths = bosunPaths(resolveHome(options.home, env));
  const merged = readConfigFile(paths.configFile);
  const sources: LoadedConfig['sources'] = {};
  for (const leaf of configLeaves()) {
    if (getPath(merged, leaf.key) !== undefined) sources[leaf.key] = 'file';
    const fromEnv = env[leaf.env];
    if (fromEnv !== undefined && fromEnv !== '') {
      setPath(merged, leaf.key, coerceConfigValue(leaf.key, fromEnv));
      sources[leaf.key] = 'env';
    }
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value === undefined) continue;
    findLeaf(key);
    setPath(merged, key, value);
    sources[key] = 'flag';
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    throw new BosunError('INVALID_CONFIG', `invalid configuration: ${formatZodIssues(result.error)}`, {
      hint: `check ${paths.configFile} and BOSUN_* environment variables (\`bosun config show\` lists every key)`,
      details: { issues: result.error.issues },
    });
  }
  for (const leaf of configLeaves()) sources[leaf.key] ??= 'default';
  const config = result.data;
  if (config.lake.dataPath) config.lake.dataPath = expandTilde(config.lake.dataPath);
  return { config, paths, sources };
}

/** The describe() text of a key, for `config show`. */
export function describeConfigKey(key: string): string | undefined {
  let s: z.ZodTypeAny | undefined = findLeaf(key).schema;
  while (s) {
    if (s.description) return s.description;
    s = s instanceof z.ZodDefault || s instanceof z.ZodOptional ? (s._def.innerType as z.ZodTypeAny) : undefined;
  }
  return undefined;
}

/**
 * Sets one key in the config file, keeping its comments. The whole file is validated before
 * anything is written, so a bad value changes nothing.
 */
export function setConfigValue(paths: BosunPaths, key: string, raw: string): unknown {
  const value = coerceConfigValue(key, raw);
  let doc: YAML.Document;
  try {
    doc = fs.existsSync(paths.configFile)
      ? YAML.parseDocument(fs.readFileSync(paths.configFile, 'utf8'))
      : new YAML.Document({});
  } catch (err) {
    throw new BosunError('INVALID_CONFIG', `cannot read ${paths.configFile}: ${(err as Error).message}`);
  }
  if (doc.errors.length) {
    throw new BosunError('INVALID_CONFIG', `${paths.configFile} is not valid YAML: ${doc.errors[0]!.message}`);
  }
  if (doc.contents === null) doc.contents = doc.createNode({});
  doc.setIn(key.split('.'), value);
  const candidate = doc.toJS() as Record<string, unknown>;
  const result = configSchema.safeParse(candidate);
  if (!result.success) {
    throw new BosunError('INVALID_CONFIG', `cannot set ${key}: ${formatZodIssues(result.error)}`, {
      hint: describeConfigKey(key),
    });
  }
  fs.mkdirSync(paths.home, { recursive: true });
  writePrivateFile(paths.configFile, doc.toString());
  return value;
}
