import { z } from 'zod';

/** Options every source kind accepts. Defaults live in `limits()` so that specs stay as the user wrote them. */
const common = {
  versionsFrom: z.literal('folders').optional(),
  version: z.string().min(1).optional(),
  include: z.array(z.string().min(1)).optional(),
  exclude: z.array(z.string().min(1)).optional(),
  maxPages: z.number().int().positive().optional(),
  maxDepth: z.number().int().nonnegative().optional(),
  concurrency: z.number().int().positive().max(64).optional(),
  /** Requests per second. */
  rate: z.number().positive().optional(),
  maxPageBytes: z.number().int().positive().optional(),
};

const localSpec = z.object({ kind: z.literal('local'), path: z.string().min(1), ...common }).strict();
/** A folder of PDFs and scans, read page by page through OCR where a page has no text layer. */
const documentsSpec = z
  .object({
    kind: z.literal('documents'),
    path: z.string().min(1),
    languages: z
      .array(z.string().regex(/^[a-z_]{3,16}$/))
      .min(1)
      .optional(),
    dpi: z.number().int().min(72).max(600).optional(),
    ...common,
  })
  .strict();
const gitSpec = z
  .object({
    kind: z.literal('git'),
    url: z.string().min(1),
    ref: z.string().min(1).optional(),
    subdir: z.string().min(1).optional(),
    tags: z.string().min(1).optional(),
    branches: z.string().min(1).optional(),
    ...common,
  })
  .strict();
const webSpec = z
  .object({
    kind: z.literal('web'),
    url: z.string().url(),
    /** URL prefix (absolute, or a path on the start URL's origin); default: the start URL's folder. */
    scope: z.string().min(1).optional(),
    render: z.boolean().optional(),
    ...common,
  })
  .strict();
const llmsSpec = z
  .object({ kind: z.literal('llms'), url: z.string().url().optional(), path: z.string().min(1).optional(), ...common })
  .strict();
const openapiSpec = z
  .object({
    kind: z.literal('openapi'),
    url: z.string().url().optional(),
    path: z.string().min(1).optional(),
    ...common,
  })
  .strict();

/** A user's Scrapy spider whose items are pages (`url`, `title`, `html` or `markdown`). */
const scrapySpec = z
  .object({
    kind: z.literal('scrapy'),
    path: z.string().min(1),
    /** The spider's arguments (`-a name=value`). */
    args: z.record(z.string().regex(/^[A-Za-z_]\w*$/), z.string()).optional(),
    ...common,
  })
  .strict();

export const sourceSpecSchema = z
  .discriminatedUnion('kind', [localSpec, documentsSpec, gitSpec, webSpec, llmsSpec, openapiSpec, scrapySpec])
  .superRefine((spec, ctx) => {
    if ((spec.kind === 'llms' || spec.kind === 'openapi') && (spec.url === undefined) === (spec.path === undefined)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `a ${spec.kind} source needs exactly one of url or path` });
    }
    if (spec.kind === 'git' && spec.tags !== undefined && spec.branches !== undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'use tags or branches, not both' });
    }
    if (spec.kind === 'git' && spec.ref !== undefined && (spec.tags !== undefined || spec.branches !== undefined)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'ref selects one version; tags/branches select several: use one',
      });
    }
  });

export type SourceSpec = z.infer<typeof sourceSpecSchema>;
export type DocumentsSpec = z.infer<typeof documentsSpec>;
export type GitSpec = z.infer<typeof gitSpec>;
export type WebSpec = z.infer<typeof webSpec>;
export type LlmsSpec = z.infer<typeof llmsSpec>;
export type OpenApiSpec = z.infer<typeof openapiSpec>;
export type ScrapySpec = z.infer<typeof scrapySpec>;

export interface Limits {
  maxPages: number;
  maxDepth: number;
  concurrency: number;
  rate: number | undefined;
  maxPageBytes: number;
}

export const DEFAULT_MAX_PAGE_BYTES = 10 * 1024 * 1024;

export function limits(spec: SourceSpec): Limits {
  return {
    maxPages: spec.maxPages ?? 100_000,
    maxDepth: spec.maxDepth ?? 20,
    concurrency: spec.concurrency ?? 8,
    rate: spec.rate,
    maxPageBytes: spec.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES,
  };
}
