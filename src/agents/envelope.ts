import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/**
 * The one shape every agent run returns, whatever the executor: A2A task states, outputs per the
 * skill's output schema, files as artifacts, numbers as metrics, and handoffs that ask the PM to
 * create follow-up tasks.
 */
export const envelopeStatuses = [
  'submitted',
  'working',
  'input-required',
  'completed',
  'failed',
  'canceled',
  'rejected',
] as const;
export type EnvelopeStatus = (typeof envelopeStatuses)[number];

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex SHA-256');

export const artifactSchema = z
  .object({
    name: z.string().min(1),
    mediaType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'expected a media type such as text/markdown'),
    path: z.string().min(1).optional(),
    inline: z.string().optional(),
    sha256: sha256Hex,
    bytes: z.number().int().min(0),
  })
  .strict()
  .refine(
    (a) => (a.path === undefined) !== (a.inline === undefined),
    'an artifact has either a path or inline content',
  );
export type Artifact = z.infer<typeof artifactSchema>;

export const handoffSchema = z
  .object({
    skill: z.string().min(1),
    input: z.record(z.unknown()),
    reason: z.string().min(1),
  })
  .strict();
export type Handoff = z.infer<typeof handoffSchema>;

export const envelopeErrorSchema = z
  .object({
    code: z.string().min(1),
    message: z.string().min(1),
    retryable: z.boolean(),
  })
  .strict();
export type EnvelopeError = z.infer<typeof envelopeErrorSchema>;

export const resultEnvelopeSchema = z
  .object({
    status: z.enum(envelopeStatuses),
    summary: z.string(),
    outputs: z.record(z.unknown()),
    artifacts: z.array(artifactSchema),
    metrics: z.record(z.number().finite()),
    handoffs: z.array(handoffSchema),
    error: envelopeErrorSchema.optional(),
  })
  .strict()
  .refine((e) => !(e.status === 'failed' || e.status === 'rejected') || e.error !== undefined, {
    message: 'error is required when status is failed or rejected',
    path: ['error'],
  })
  .refine((e) => e.status !== 'completed' || e.error === undefined, {
    message: 'a completed run has no error',
    path: ['error'],
  });
export type ResultEnvelope = z.infer<typeof resultEnvelopeSchema>;

export interface EnvelopeParts {
  summary: string;
  outputs?: Record<string, unknown>;
  artifacts?: Artifact[];
  metrics?: Record<string, number>;
  handoffs?: Handoff[];
}

export function completedEnvelope(parts: EnvelopeParts): ResultEnvelope {
  return {
    status: 'completed',
    summary: parts.summary,
    outputs: parts.outputs ?? {},
    artifacts: parts.artifacts ?? [],
    metrics: parts.metrics ?? {},
    handoffs: parts.handoffs ?? [],
  };
}

/** A failed (or rejected) run: the message doubles as the summary unless one is given. */
export function failedEnvelope(
  error: EnvelopeError,
  parts: Partial<EnvelopeParts> & { status?: 'failed' | 'rejected' } = {},
): ResultEnvelope {
  return {
    status: parts.status ?? 'failed',
    summary: parts.summary ?? error.message,
    outputs: parts.outputs ?? {},
    artifacts: parts.artifacts ?? [],
    metrics: parts.metrics ?? {},
    handoffs: parts.handoffs ?? [],
    error,
  };
}

/** SHA-256 of a file, streamed so a large artifact never sits in memory. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** An artifact entry for a file the agent wrote: absolute path, hash and size. */
export async function artifactFromFile(file: string, mediaType: string, name = path.basename(file)): Promise<Artifact> {
  const absolute = path.resolve(file);
  const stat = await fs.stat(absolute);
  return artifactSchema.parse({
    name,
    mediaType,
    path: absolute,
    sha256: await sha256File(absolute),
    bytes: stat.size,
  });
}

const mediaTypes: Record<string, string> = {
  '.json': 'application/json',
  '.md': 'text/markdown',
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.html': 'text/html',
  '.vtt': 'text/vtt',
  '.py': 'text/x-python',
  '.sql': 'application/sql',
  '.parquet': 'application/vnd.apache.parquet',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.mp3': 'audio/mpeg',
  '.mp4': 'video/mp4',
};

/** The media type for a file name, by extension; unknown ones are opaque bytes. */
export function mediaTypeOf(file: string): string {
  return mediaTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}
