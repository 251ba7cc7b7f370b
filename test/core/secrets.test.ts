import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpToken } from '../../src/core/index.js';
import { runBosun } from '../support/cli.js';

const TOKEN = 'a-secret-token-of-some-length';
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe('secret files (issue 11, item 4)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-secrets-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes config.yaml 0600 and refuses one others can read once it holds a secret, saying how to fix it', async () => {
    const home = path.join(dir, 'home');
    const set = await runBosun(['config', 'set', 'mcp.token', TOKEN], { home });
    expect(set.exitCode, set.stderr).toBe(0);
    const file = path.join(home, 'config.yaml');
    expect(modeOf(file)).toBe(0o600);
    fs.chmodSync(file, 0o644);
    const show = await runBosun(['config', 'show'], { home });
    expect(show.exitCode).not.toBe(0);
    expect(show.stderr).toContain(`error[INSECURE_FILE]: the config file ${file} is readable by others (mode 644)`);
    expect(show.stderr).toContain(`chmod 600 ${file}`);
    expect(show.stderr).not.toContain(TOKEN);
    // Setting a key again rewrites it private.
    fs.chmodSync(file, 0o600);
    await runBosun(['config', 'set', 'worker.concurrency', '2'], { home });
    expect(modeOf(file)).toBe(0o600);
  });

  it('mcp install --http writes a ${VAR} reference, never the token itself', async () => {
    const home = path.join(dir, 'home-install');
    const file = path.join(dir, 'project', '.mcp.json');
    const res = await runBosun(
      ['mcp', 'install', '--client', 'claude-code', '--http', '--port', '8123', '--file', file, '--json'],
      { home, env: { BOSUN_MCP_TOKEN: TOKEN } },
    );
    expect(res.exitCode, res.stderr).toBe(0);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(JSON.parse(text).mcpServers['bosun-docs'].headers).toEqual({ Authorization: 'Bearer ${BOSUN_MCP_TOKEN}' });
    const cursor = await runBosun(['mcp', 'config', '--client', 'cursor', '--http', '--json'], {
      home,
      env: { BOSUN_MCP_TOKEN: TOKEN },
    });
    expect(cursor.json.snippet.mcpServers['bosun-docs'].headers).toEqual({
      Authorization: 'Bearer ${env:BOSUN_MCP_TOKEN}',
    });
  });

  it('reads a token file only when it is private', () => {
    const file = path.join(dir, 'token');
    fs.writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
    expect(httpToken({}, file)).toBe(TOKEN);
    fs.chmodSync(file, 0o640);
    expect(() => httpToken({ tokenFile: file })).toThrow(/readable by others \(mode 640\)/);
  });
});
