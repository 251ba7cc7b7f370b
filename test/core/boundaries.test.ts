import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/exec/index.js';
import { repoRoot } from '../support/cli.js';

/**
 * The layer rules of docs/architecture.md as dependency-cruiser checks them
 * (`npm run lint:boundaries`, .dependency-cruiser.cjs): a tree with one planted violation of
 * each rule fails, with each one named; the repository's own src/ passes.
 */
const depcruise = path.join(repoRoot, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = path.join(repoRoot, '.dependency-cruiser.cjs');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-boundaries-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A small tree of layers: what each file imports, and nothing else. */
const planted: Record<string, string> = {
  'src/core/index.ts': `export const core = 1;\n`,
  'src/core/deep.ts': `export const deep = 2;\n`,
  'src/core/errors.ts': `export const errors = 3;\n`,
  // Allowed: another layer through its index.ts and a light entry.
  'src/cli/main.ts': `import { core } from '../core/index.js';\nimport { errors } from '../core/errors.js';\nexport const main = core + errors;\n`,
  'src/cli/index.ts': `export const cli = 4;\n`,
  // Planted: past core's entry points.
  'src/lake/index.ts': `import { deep } from '../core/deep.js';\nexport const lake = deep;\n`,
  // Planted: db runs down the table to cli.
  'src/db/index.ts': `import { cli } from '../cli/index.js';\nexport const db = cli;\n`,
  // Planted: a cycle of runtime imports (reported once).
  'src/pm/a.ts': `import { b } from './b.js';\nexport const a = () => b();\n`,
  'src/pm/b.ts': `import { a } from './a.js';\nexport const b = () => a;\n`,
  // Allowed: a cycle that passes through a type-only import.
  'src/pm/c.ts': `import { d } from './d.js';\nexport interface C { n: number }\nexport const c = () => d;\n`,
  'src/pm/d.ts': `import type { C } from './c.js';\nexport const d: C = { n: 1 };\n`,
  'tsconfig.json': JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true },
    include: ['src'],
  }),
};

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

async function cruise(cwd: string, outputType: 'json' | 'err') {
  return runCommand(process.execPath, [depcruise, 'src', '--config', config, '--output-type', outputType], {
    cwd,
    timeoutMs: 120_000,
    maxOutputBytes: 64 * 1024 * 1024,
  });
}

describe('the layer boundaries (dependency-cruiser)', () => {
  it('fail on a planted violation of each rule, and name it', async () => {
    for (const [file, text] of Object.entries(planted)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    const res = await cruise(dir, 'json');
    expect(res.exitCode, res.stderr).toBe(0); // the json reporter reports; `err` (npm run lint:boundaries) fails
    const violations = (JSON.parse(res.stdout) as { summary: { violations: Violation[] } }).summary.violations;
    const found = violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
    expect(found).toEqual([
      'layer-entry-points: src/lake/index.ts → src/core/deep.ts',
      'layer-order-db: src/db/index.ts → src/cli/index.ts',
      'no-runtime-cycles: src/pm/a.ts → src/pm/b.ts',
    ]);
    // What `npm run lint:boundaries` runs: it fails.
    const lint = await cruise(dir, 'err');
    expect(lint.exitCode).toBe(found.length);
  });

  it("pass on the repository's src/", async () => {
    const res = await cruise(repoRoot, 'err');
    expect(res.exitCode, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/no dependency violations found/);
  });
});
