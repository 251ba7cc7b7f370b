import { z } from 'zod';
import { triggerRules } from '../states.js';

/**
 * The YAML format of templates and fragments. A template is a DAG of steps with parameters;
 * a fragment is a reusable group of steps (a cross-project pattern) that templates include
 * under a prefix. Structural rules that need more than one field (dependencies exist, no
 * cycles, placeholders refer to declared params and upstream steps, skills are known) are
 * checked in validate.ts.
 */

export const stepKeySchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,40}$/, 'step keys are lowercase letters, digits, _ and -, starting with a letter');

const paramNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'param names are identifiers (letters, digits, _)');

/** `90s`, `30m`, `2h`, `1d`, or a number of seconds. */
export const durationSchema = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(/^\d+(s|m|h|d)$/, 'a duration like 90s, 30m, 2h or 1d')
    .transform((s) => Number(s.slice(0, -1)) * { s: 1, m: 60, h: 3600, d: 86400 }[s.at(-1) as 's' | 'm' | 'h' | 'd']),
]);

export const paramTypes = ['string', 'number', 'integer', 'boolean', 'url', 'enum'] as const;

export const paramSchema = z
  .object({
    type: z.enum(paramTypes),
    description: z.string().optional(),
    required: z.boolean().default(false),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    values: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.type === 'enum' && !p.values) ctx.addIssue({ code: 'custom', message: "an enum param needs 'values'" });
    if (p.type !== 'enum' && p.values) ctx.addIssue({ code: 'custom', message: "'values' is only for enum params" });
    if (p.required && p.default !== undefined)
      ctx.addIssue({ code: 'custom', message: 'a required param has no default' });
  });
export type ParamSpec = z.infer<typeof paramSchema>;

export const acceptanceCheckSchema = z.union([
  z.string().min(1),
  z
    .object({
      output: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'a path into the outputs, like rows or table.name'),
      op: z.enum(['exists', 'eq', 'gt', 'gte', 'lt', 'lte']),
      value: z.union([z.string(), z.number(), z.boolean()]).optional(),
      description: z.string().optional(),
    })
    .strict()
    .refine((c) => c.op === 'exists' || c.value !== undefined, { message: "every op but 'exists' needs a value" }),
]);

export const stepSchema = z
  .object({
    key: stepKeySchema,
    title: z.string().min(1).max(500),
    description: z.string().optional(),
    skill: z.string().min(1),
    tags: z.array(z.string().min(1)).default([]),
    inputs: z.record(z.unknown()).default({}),
    depends_on: z.array(z.string().min(1)).default([]),
    trigger: z.enum(triggerRules).default('all_success'),
    acceptance: z.array(acceptanceCheckSchema).default([]),
    retries: z.number().int().min(0).max(10).default(2),
    timeout: durationSchema.optional(),
    estimate: durationSchema.optional(),
    priority: z.number().int().min(-1000).max(1000).default(0),
    // A judgement (which selectors make a record, is this good enough) for a person or an assistant.
    manual: z.boolean().default(false),
  })
  .strict();
export type TemplateStep = z.infer<typeof stepSchema>;

const versionSchema = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^\d+(\.\d+){0,2}$/, 'a version like 1, 1.2 or 1.2.3'));

const commonFields = {
  id: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'ids are lowercase letters, digits and -'),
  version: versionSchema,
  title: z.string().min(1),
  description: z.string().min(1),
  tags: z.array(z.string().min(1)).default([]),
  params: z.record(paramNameSchema, paramSchema).default({}),
  steps: z.array(stepSchema).min(1, 'at least one step'),
};

export const includeSchema = z
  .object({
    fragment: z.string().min(1),
    /** Prefix of the included steps' keys: `<as>.<key>`. */
    as: stepKeySchema,
    /** The fragment's params; values may use `{{ params.… }}` and `{{ steps.… }}` of the template. */
    with: z.record(paramNameSchema, z.unknown()).default({}),
    /** Template steps the fragment's first steps wait for. */
    after: z.array(z.string().min(1)).default([]),
  })
  .strict();

export const templateSchema = z
  .object({
    kind: z.literal('template').default('template'),
    ...commonFields,
    include: z.array(includeSchema).default([]),
  })
  .strict();
export type Template = z.infer<typeof templateSchema>;

export const fragmentSchema = z.object({ kind: z.literal('fragment'), ...commonFields }).strict();
export type Fragment = z.infer<typeof fragmentSchema>;
