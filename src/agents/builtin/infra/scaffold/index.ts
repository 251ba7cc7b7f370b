import fs from 'node:fs/promises';
import path from 'node:path';
import { parseWith } from '../../../../core/index.js';
import { artifactFromFile, completedEnvelope, type ResultEnvelope } from '../../../envelope.js';
import type { AgentContext } from '../../../runtime/types.js';
import { scaffoldInputSchema } from './input.js';
import { kindOf, projectFiles } from './files.js';

/**
 * infra.mcp_scaffold: writes a standalone MCP server project into the work dir (folder
 * `<name>/`) and returns it as a tarball artifact with its README beside it. Nothing is
 * installed or built here: the project is a deliverable, and Bosun's tests build it and run its
 * own tests to show that what is handed over works.
 */
export async function runScaffold(ctx: AgentContext): Promise<ResultEnvelope> {
  const input = parseWith(scaffoldInputSchema, ctx.input, 'infra.mcp_scaffold input');
  const files = projectFiles(input);
  const root = path.join(ctx.workDir, input.name);
  await fs.rm(root, { recursive: true, force: true });
  for (const [rel, text] of files) {
    const file = path.join(root, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text);
  }
  await fs.chmod(path.join(root, 'src/index.ts'), 0o755);
  const tarball = path.join(ctx.workDir, `${input.name}.tar.gz`);
  // Sorted names and a fixed owner keep the tarball the same for the same input.
  await ctx.exec.runChecked(
    'tar',
    ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-czf', tarball, '-C', ctx.workDir, input.name],
    { signal: ctx.signal, timeoutMs: 60_000 },
  );
  const tools = input.tools.map((t) => ({ name: t.name, kind: kindOf(t) }));
  return completedEnvelope({
    summary: `MCP server ${input.name}: ${tools.length} tool${tools.length === 1 ? '' : 's'} (${tools.map((t) => `${t.name} → ${t.kind}`).join(', ')}); build with npm install && npm test`,
    outputs: { name: input.name, dir: root, files: [...files.keys()].sort(), tools },
    artifacts: [
      await artifactFromFile(tarball, 'application/gzip'),
      await artifactFromFile(path.join(root, 'README.md'), 'text/markdown'),
    ],
    metrics: { tools: tools.length, files: files.size },
  });
}
