import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { commandSummaries } from '../../src/cli/commands/summaries.js';
import { runCommand } from '../../src/exec/index.js';
import { bosunBin, repoRoot } from '../support/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-startup-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The modules a CLI run resolves (its own and its packages'), recorded by a loader hook. */
async function importsOf(args: string[]): Promise<{ exitCode: number | null; stdout: string; modules: string[] }> {
  const file = path.join(dir, `${args.join('_').replace(/\W/g, '')}.txt`);
  const res = await runCommand(
    process.execPath,
    ['--import', path.join(repoRoot, 'test/support/record-imports.mjs'), bosunBin, ...args],
    { env: { BOSUN_HOME: dir, BOSUN_RECORD_IMPORTS: file }, cwd: repoRoot, timeoutMs: 60_000 },
  );
  const modules = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : [];
  return { exitCode: res.exitCode, stdout: res.stdout, modules };
}

const packageOf = (url: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];

describe('CLI start-up', () => {
  it('--version and --help load commander and the summaries only, no command module', async () => {
    for (const args of [['--version'], ['--help']]) {
      const run = await importsOf(args);
      expect(run.exitCode, args.join(' ')).toBe(0);
      const packages = new Set(run.modules.map(packageOf).filter(Boolean));
      expect([...packages], args.join(' ')).toEqual(['commander']);
      const commandModules = run.modules.filter((m) => m.includes('/cli/commands/'));
      expect(commandModules.map((m) => path.basename(m))).toEqual(['summaries.js']);
    }
    const help = await importsOf(['--help']);
    for (const name of Object.keys(commandSummaries)) expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });

  it('docs list loads neither DuckDB, the parsers, the crawler nor the MCP SDK', async () => {
    const run = await importsOf(['docs', 'list', '--json', '--database-url', 'postgresql://x:y@127.0.0.1:1/none']);
    // It fails to connect (no server there): what matters is what it loaded on the way.
    expect(run.modules.some((m) => m.includes('/docs/library/'))).toBe(true);
    const packages = new Set(run.modules.map(packageOf));
    for (const heavy of ['@duckdb/node-api', 'unified', 'linkedom', '@modelcontextprotocol/sdk', 'execa', 'pg-boss'])
      expect(packages.has(heavy), heavy).toBe(false);
  });

  it('the summaries are the descriptions the command modules give their commands', async () => {
    for (const [name, summary] of Object.entries(commandSummaries)) {
      const program: Command = await buildProgram([name]);
      const command = program.commands.find((c) => c.name() === name);
      expect(command?.description(), name).toBe(summary);
    }
  });
});
