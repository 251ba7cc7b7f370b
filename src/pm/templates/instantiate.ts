import { BosunError } from '../../core/index.js';
import { describeStepReferences, substituteParams } from '../expressions.js';
import type { TaskDraft } from '../plan.js';
import type { LoadedTemplate } from './template-set.js';
import type { ParamSpec } from './schema.js';

/** A param value as given: a string from the command line, or a typed value from JSON. */
export type RawParam = string | number | boolean;

function coerce(name: string, spec: ParamSpec, raw: RawParam): string | number | boolean {
  const fail = (expected: string): never => {
    throw new BosunError('INVALID_INPUT', `param '${name}' must be ${expected}, got '${String(raw)}'`, {
      hint: spec.description ? `${name}: ${spec.description}` : undefined,
    });
  };
  switch (spec.type) {
    case 'string':
      return String(raw);
    case 'number':
    case 'integer': {
      const n = typeof raw === 'number' ? raw : String(raw).trim() === '' ? NaN : Number(raw);
      if (Number.isNaN(n)) return fail('a number');
      if (spec.type === 'integer' && !Number.isInteger(n)) return fail('an integer');
      return n;
    }
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (/^(true|yes|1)$/i.test(String(raw))) return true;
      if (/^(false|no|0)$/i.test(String(raw))) return false;
      return fail('true or false');
    case 'url':
      try {
        const url = new URL(String(raw));
        if (!/^(https?|s3|gs|file|postgres(ql)?):$/.test(url.protocol))
          return fail('an http(s), s3, gs, file or postgres URL');
        return url.toString();
      } catch {
        return fail('a URL');
      }
    case 'enum':
      return spec.values!.includes(String(raw)) ? String(raw) : fail(`one of ${spec.values!.join(', ')}`);
  }
}

/** Checks given params against the declared ones: unknown names and missing required ones fail together. */
export function resolveParams(
  template: LoadedTemplate,
  given: Record<string, RawParam>,
): Record<string, string | number | boolean | null> {
  const declared = template.value.params;
  const unknown = Object.keys(given).filter((k) => !(k in declared));
  const missing = Object.entries(declared)
    .filter(([k, spec]) => spec.required && given[k] === undefined)
    .map(([k]) => k);
  if (unknown.length || missing.length) {
    const parts = [
      ...(missing.length ? [`missing required param${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`] : []),
      ...(unknown.length ? [`unknown param${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`] : []),
    ];
    throw new BosunError('INVALID_INPUT', `template ${template.id}: ${parts.join('; ')}`, {
      hint: `params: ${Object.entries(declared)
        .map(
          ([k, s]) =>
            `${k} (${s.type}${s.required ? ', required' : s.default !== undefined ? `, default ${String(s.default)}` : ''})`,
        )
        .join(', ')}; pass them as --param name=value`,
      details: { missing, unknown },
    });
  }
  const params: Record<string, string | number | boolean | null> = {};
  for (const [name, spec] of Object.entries(declared)) {
    const raw = given[name] ?? spec.default;
    params[name] = raw === undefined ? null : coerce(name, spec, raw);
  }
  return params;
}

/** The template's steps as task drafts, with params filled in (step outputs are filled at run time). */
export function instantiate(
  template: LoadedTemplate,
  given: Record<string, RawParam>,
): { params: Record<string, unknown>; drafts: TaskDraft[] } {
  const params = resolveParams(template, given);
  const drafts = template.steps.map((step): TaskDraft => {
    const filled = substituteParams(
      { title: step.title, description: step.description, inputs: step.inputs, acceptance: step.acceptance },
      params,
    ) as {
      title: string;
      description?: string;
      inputs: Record<string, unknown>;
      acceptance: TaskDraft['acceptance'];
    };
    return {
      key: step.key,
      title: describeStepReferences(String(filled.title)),
      ...(filled.description ? { description: describeStepReferences(String(filled.description)) } : {}),
      skill: step.skill,
      tags: step.tags,
      inputs: filled.inputs,
      dependsOn: step.depends_on,
      trigger: step.trigger,
      acceptance: filled.acceptance,
      priority: step.priority,
      attemptsAllowed: step.retries + 1,
      ...(step.manual ? { manual: true } : {}),
      ...(step.timeout ? { timeoutSeconds: step.timeout } : {}),
      ...(step.estimate ? { estimateMinutes: Math.ceil(step.estimate / 60) } : {}),
    };
  });
  return { params, drafts };
}
