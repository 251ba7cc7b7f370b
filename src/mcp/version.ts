import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { packageRoot, parseWith } from '../core/index.js';

/** Bosun's version, from its package.json: what its MCP servers report and exports record. */
export function bosunVersion(): string {
  const file = path.join(packageRoot(), 'package.json');
  return parseWith(
    z.object({ version: z.string().min(1) }),
    JSON.parse(fs.readFileSync(file, 'utf8')),
    file,
    'INTERNAL',
  ).version;
}
