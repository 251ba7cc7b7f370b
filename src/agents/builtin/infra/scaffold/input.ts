import { z } from 'zod';

/**
 * What infra.mcp_scaffold accepts, checked again with zod after the manifest's JSON Schema:
 * the manifest validator cannot say "exactly one of command, sql, http" or check that every
 * {{placeholder}} names a declared argument, and a generated server that fails at its first
 * call is worse than a refused request.
 */

const placeholder = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The argument names a text refers to as {{name}}. */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(placeholder)].map((m) => m[1]!);
}

const jsonSchemaObject = z
  .object({
    type: z.literal('object'),
    properties: z.record(z.record(z.unknown())).default({}),
    required: z.array(z.string()).default([]),
  })
  .passthrough();

const sqlSpec = z.union([
  z
    .string()
    .min(1)
    .transform((query) => ({ query, params: [] as string[] })),
  z
    .object({
      query: z.string().min(1),
      /** Argument names bound to $1, $2, … in order: values never enter the SQL text. */
      params: z.array(z.string()).default([]),
    })
    .strict(),
]);

const httpSpec = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    /** {{name}} placeholders are URL-encoded. */
    url: z.string().regex(/^https?:\/\//, 'an http(s) URL'),
    headers: z.record(z.string()).default({}),
    /** Send the arguments not used in the URL as a JSON body (default for POST, PUT, PATCH). */
    json_body: z.boolean().optional(),
  })
  .strict();

export const toolSpecSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, _ and -'),
    description: z.string().min(1),
    input_schema: jsonSchemaObject.default({ type: 'object' }),
    /** argv, run without a shell; {{name}} inside an element is replaced by that argument. */
    command: z.array(z.string()).min(1).optional(),
    sql: sqlSpec.optional(),
    http: httpSpec.optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    const kinds = [t.command, t.sql, t.http].filter((k) => k !== undefined).length;
    if (kinds !== 1)
      ctx.addIssue({ code: 'custom', message: `tool ${t.name}: give exactly one of command, sql, http` });
    const declared = new Set(Object.keys(t.input_schema.properties));
    const used = [
      ...(t.command ?? []).flatMap(placeholdersOf),
      ...(t.http ? [t.http.url, ...Object.values(t.http.headers)].flatMap(placeholdersOf) : []),
      ...(t.sql?.params ?? []),
    ];
    for (const name of used)
      if (!declared.has(name))
        ctx.addIssue({ code: 'custom', message: `tool ${t.name}: '${name}' is not a property of its input_schema` });
    if (t.command && placeholdersOf(t.command[0]!).length)
      ctx.addIssue({ code: 'custom', message: `tool ${t.name}: the program (argv[0]) must be fixed, not an argument` });
  });
export type ToolSpec = z.output<typeof toolSpecSchema>;

export const scaffoldInputSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,213}$/, 'an npm package name: lowercase letters, digits and -'),
    description: z.string().optional(),
    tools: z
      .array(toolSpecSchema)
      .min(1)
      .max(100)
      .superRefine((tools, ctx) => {
        const seen = new Set<string>();
        for (const t of tools) {
          if (seen.has(t.name)) ctx.addIssue({ code: 'custom', message: `duplicate tool name '${t.name}'` });
          seen.add(t.name);
        }
      }),
  })
  .strict();
export type ScaffoldInput = z.output<typeof scaffoldInputSchema>;
