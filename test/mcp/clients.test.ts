import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBosun, bosunBin } from '../support/cli.js';

describe('MCP client configuration', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-clients-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints a stdio snippet per client with absolute paths and the home', async () => {
    const home = path.join(dir, 'home');
    const cc = await runBosun(['mcp', 'config', '--client', 'claude-code', '--library', 'duckdb', '--json'], { home });
    expect(cc.exitCode, cc.stderr).toBe(0);
    const entry = cc.json.snippet.mcpServers['bosun-docs-duckdb'];
    expect(entry).toEqual({
      type: 'stdio',
      command: process.execPath,
      args: [bosunBin, 'mcp', 'docs', '--library', 'duckdb'],
      env: { BOSUN_HOME: home },
    });
    const vs = await runBosun(['mcp', 'config', '--client', 'vscode', '--json'], { home });
    expect(Object.keys(vs.json.snippet)).toEqual(['servers']);
    expect(vs.json.snippet.servers['bosun-docs'].args).toEqual([bosunBin, 'mcp', 'docs']);
    const pm = await runBosun(['mcp', 'config', '--client', 'cursor', '--server', 'pm', '--json'], { home });
    expect(pm.json.snippet.mcpServers['bosun-pm'].args).toEqual([bosunBin, 'mcp', 'pm']);
  });

  it('prints HTTP snippets with the URL, and refuses HTTP for Claude Desktop', async () => {
    const res = await runBosun(['mcp', 'config', '--client', 'vscode', '--http', '--port', '8123', '--json'], {
      home: dir,
    });
    expect(res.json.snippet.servers['bosun-docs']).toEqual({ type: 'http', url: 'http://127.0.0.1:8123/mcp' });
    const desk = await runBosun(['mcp', 'config', '--client', 'claude-desktop', '--http'], { home: dir });
    expect(desk.exitCode).toBe(2);
    expect(desk.stderr).toMatch(/error\[INVALID_INPUT\].*stdio servers only/);
    const bad = await runBosun(['mcp', 'config', '--client', 'emacs'], { home: dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/Allowed choices are claude-code, claude-desktop, cursor, vscode/);
  });

  it('install merges into an existing file, keeps a backup, and replaces its own entry', async () => {
    const file = path.join(dir, 'cursor-mcp.json');
    const original = { mcpServers: { other: { command: 'other-server' } }, theme: 'dark' };
    fs.writeFileSync(file, JSON.stringify(original));
    const first = await runBosun(
      ['mcp', 'install', '--client', 'cursor', '--library', 'ducklake', '--file', file, '--json'],
      { home: dir },
    );
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.json).toMatchObject({ file, replaced: false, server: 'bosun-docs-ducklake' });
    expect(JSON.parse(fs.readFileSync(first.json.backup, 'utf8'))).toEqual(original);
    const merged = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(merged.theme).toBe('dark');
    expect(merged.mcpServers.other).toEqual({ command: 'other-server' });
    expect(merged.mcpServers['bosun-docs-ducklake'].args.slice(-3)).toEqual(['docs', '--library', 'ducklake']);
    const again = await runBosun(
      ['mcp', 'install', '--client', 'cursor', '--library', 'ducklake', '--file', file, '--json'],
      { home: dir },
    );
    expect(again.json.replaced).toBe(true);
    expect(Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')).mcpServers)).toEqual(['other', 'bosun-docs-ducklake']);
  });

  it('leaves an invalid config file untouched', async () => {
    const file = path.join(dir, 'broken.json');
    fs.writeFileSync(file, '{ "mcpServers": ');
    const res = await runBosun(['mcp', 'install', '--client', 'claude-code', '--file', file], { home: dir });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/is not valid JSON/);
    expect(fs.readFileSync(file, 'utf8')).toBe('{ "mcpServers": ');
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('broken.json.bosun-backup'))).toEqual([]);
  });
});
