/**
 * The two placeholders task inputs may hold: `{{ params.name }}`, filled when a template is
 * instantiated, and `{{ steps.key.outputs.path }}`, filled from an upstream task's result when
 * the task is handed to whoever runs it. A string that is exactly one placeholder takes the
 * value with its type (a number stays a number); inside longer text the value is written out.
 */

const paramPattern = /\{\{\s*params\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const stepPattern = /\{\{\s*steps\.([a-z][a-z0-9_.-]*?)\.outputs\.([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*\}\}/g;

export interface StepReference {
  key: string;
  path: string;
}

/** Applies `fn` to every string inside `value` (objects and arrays are copied). */
function mapStrings(value: unknown, fn: (s: string) => unknown): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, mapStrings(v, fn)]));
  }
  return value;
}

function eachString(value: unknown, fn: (s: string) => void): void {
  mapStrings(value, (s) => {
    fn(s);
    return s;
  });
}

function replaceIn(text: string, pattern: RegExp, lookup: (...groups: string[]) => unknown): unknown {
  const whole = new RegExp(`^${pattern.source}$`).exec(text);
  if (whole) return lookup(...whole.slice(1));
  return text.replace(pattern, (_m, ...groups: string[]) => {
    const v = lookup(...groups);
    return typeof v === 'string' ? v : JSON.stringify(v ?? null);
  });
}

export function paramNamesIn(value: unknown): Set<string> {
  const names = new Set<string>();
  eachString(value, (s) => {
    for (const m of s.matchAll(paramPattern)) names.add(m[1]!);
  });
  return names;
}

export function substituteParams(value: unknown, params: Record<string, unknown>): unknown {
  return mapStrings(value, (s) => replaceIn(s, paramPattern, (name) => params[name]));
}

export function stepReferencesIn(value: unknown): StepReference[] {
  const refs: StepReference[] = [];
  eachString(value, (s) => {
    for (const m of s.matchAll(stepPattern)) refs.push({ key: m[1]!, path: m[2]! });
  });
  return refs;
}

/** Rewrites the step keys of `{{ steps.… }}` placeholders (an included fragment's keys get its prefix). */
export function renameStepReferences(value: unknown, rename: (key: string) => string): unknown {
  return mapStrings(value, (s) =>
    s.replace(stepPattern, (_m, key: string, path: string) => `{{ steps.${rename(key)}.outputs.${path} }}`),
  );
}

/** Placeholders of step outputs written as words, for titles (which are not filled at run time). */
export function describeStepReferences(text: string): string {
  return text.replace(stepPattern, (_m, key: string, path: string) => `output ${path} of ${key}`);
}

/** Reads `a.b.0.c` out of an object; undefined when any part is missing. */
export function readPath(source: unknown, path: string): unknown {
  let node: unknown = source;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/**
 * Fills `{{ steps.… }}` placeholders from upstream outputs, by step key. A placeholder whose
 * output does not exist becomes null and is listed in `missing`, so the reader knows.
 */
export function resolveStepOutputs(
  value: Record<string, unknown>,
  outputsByKey: ReadonlyMap<string, Record<string, unknown>>,
): { value: Record<string, unknown>; missing: string[] } {
  const missing: string[] = [];
  const resolved = mapStrings(value, (s) =>
    replaceIn(s, stepPattern, (key, path) => {
      const v = readPath(outputsByKey.get(key), path);
      if (v === undefined) missing.push(`steps.${key}.outputs.${path}`);
      return v ?? null;
    }),
  );
  return { value: resolved as Record<string, unknown>, missing };
}
