import { BosunError } from '../../core/index.js';
import type { JsonSchema } from './json-schema.js';

function acceptsString(schema: JsonSchema | undefined): boolean {
  if (!schema?.type) return schema?.enum ? schema.enum.some((e) => typeof e === 'string') : true;
  return Array.isArray(schema.type) ? schema.type.includes('string') : schema.type === 'string';
}

/**
 * `key=value` pairs from a command line into a skill input. A value is kept as text where the
 * skill's schema takes a string (so `--input id=007` stays "007"), and read as JSON elsewhere
 * (`--input args='["-v"]'`, `--input timeoutSeconds=5`). Each key once.
 */
export function inputFromPairs(
  schema: JsonSchema,
  pairs: readonly string[],
  base: Record<string, unknown> = {},
): Record<string, unknown> {
  const input: Record<string, unknown> = { ...base };
  const seen = new Set<string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new BosunError('INVALID_INPUT', `--input ${pair}: expected key=value`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    if (seen.has(key))
      throw new BosunError('INVALID_INPUT', `--input ${key} is given twice`, {
        hint: 'pass a list as JSON: --input key=\'["a","b"]\'',
      });
    seen.add(key);
    const prop = schema.properties?.[key];
    if (acceptsString(prop)) {
      input[key] = raw;
      continue;
    }
    try {
      input[key] = JSON.parse(raw) as unknown;
    } catch {
      throw new BosunError(
        'INVALID_INPUT',
        `--input ${key}: expected JSON (${JSON.stringify(prop?.type ?? 'a value')}), got ${raw}`,
      );
    }
  }
  return input;
}
