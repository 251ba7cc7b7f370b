import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BosunError, packageRoot } from '../core/index.js';

export const MCP_CLIENTS = ['claude-code', 'claude-desktop', 'cursor', 'vscode'] as const;
export type McpClient = (typeof MCP_CLIENTS)[number];

/** How a client starts or reaches one Bosun MCP server. */
export interface ServerLaunch {
  name: string;
  stdio?: { command: string; args: string[]; env: Record<string, string> };
  /** `tokenVar`: the environment variable the client reads the bearer token from (never the token itself). */
  http?: { url: string; tokenVar?: string };
}

/** Where clients read Bosun's HTTP token from: the same variable the server reads it from. */
export const TOKEN_ENV_VAR = 'BOSUN_MCP_TOKEN';

/** `bosun-docs-<library>` for one library, `bosun-docs` for several, `bosun-pm` for the PM server. */
export function serverName(kind: 'docs' | 'pm', libraries: readonly string[]): string {
  if (kind === 'pm') return 'bosun-pm';
  return libraries.length === 1 ? `bosun-docs-${libraries[0]}` : 'bosun-docs';
}

/**
 * The launch entry: absolute paths (node and Bosun's bin), so the client starts the server
 * from any working directory; BOSUN_HOME pins the same home as this command.
 */
export function serverLaunch(options: {
  kind: 'docs' | 'pm';
  libraries: readonly string[];
  home: string;
  env?: Record<string, string>;
  http?: { host: string; port: number; tokenVar?: string };
}): ServerLaunch {
  const name = serverName(options.kind, options.libraries);
  if (options.http) {
    const host = options.http.host.includes(':') ? `[${options.http.host}]` : options.http.host;
    return {
      name,
      http: {
        url: `http://${host}:${options.http.port}/mcp`,
        ...(options.http.tokenVar ? { tokenVar: options.http.tokenVar } : {}),
      },
    };
  }
  const args = [
    path.join(packageRoot(), 'bin', 'bosun.js'),
    'mcp',
    options.kind,
    ...options.libraries.flatMap((l) => ['--library', l]),
  ];
  return { name, stdio: { command: process.execPath, args, env: { BOSUN_HOME: options.home, ...options.env } } };
}

/** The client's config file: project-local for Claude Code and VS Code, per user otherwise. */
export function defaultConfigFile(client: McpClient, cwd = process.cwd()): string {
  const home = os.homedir();
  switch (client) {
    case 'claude-code':
      return path.join(cwd, '.mcp.json');
    case 'vscode':
      return path.join(cwd, '.vscode', 'mcp.json');
    case 'cursor':
      return path.join(home, '.cursor', 'mcp.json');
    case 'claude-desktop':
      if (process.platform === 'darwin')
        return path.join(home, 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json');
      if (process.platform === 'win32')
        return path.join(process.env.APPDATA ?? home, 'Claude', 'claude_desktop_config.json');
      return path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
  }
}

/** Top-level key holding servers: VS Code says `servers`, the others `mcpServers`. */
const containerKey = (client: McpClient) => (client === 'vscode' ? 'servers' : 'mcpServers');

/** The entry for one server, in the client's own format. */
export function clientEntry(client: McpClient, launch: ServerLaunch): Record<string, unknown> {
  if (launch.http) {
    if (client === 'claude-desktop') {
      throw new BosunError('INVALID_INPUT', "Claude Desktop's config file starts stdio servers only", {
        hint: 'drop --http: Claude Desktop will start `bosun mcp …` itself',
      });
    }
    // Each client's own syntax for an environment variable in its config file.
    const reference = client === 'claude-code' ? `\${${launch.http.tokenVar}}` : `\${env:${launch.http.tokenVar}}`;
    const headers = launch.http.tokenVar ? { Authorization: `Bearer ${reference}` } : undefined;
    const typed = client === 'cursor' ? {} : { type: 'http' };
    return { ...typed, url: launch.http.url, ...(headers ? { headers } : {}) };
  }
  const s = launch.stdio!;
  const typed = client === 'claude-code' || client === 'vscode' ? { type: 'stdio' } : {};
  return { ...typed, command: s.command, args: s.args, env: s.env };
}

/** The snippet to paste: the whole JSON document with this one server. */
export function clientSnippet(client: McpClient, launch: ServerLaunch): Record<string, unknown> {
  return { [containerKey(client)]: { [launch.name]: clientEntry(client, launch) } };
}

export interface InstallResult {
  file: string;
  backup: string | null;
  replaced: boolean;
}

/**
 * Merges the server into the client's config file, keeping everything else and a backup of the
 * previous file. An unreadable file is an error and is left untouched.
 */
export function installIntoClient(
  client: McpClient,
  launch: ServerLaunch,
  file = defaultConfigFile(client),
): InstallResult {
  const entry = clientEntry(client, launch);
  let doc: Record<string, unknown> = {};
  let backup: string | null = null;
  if (fs.existsSync(file)) {
    const text = fs.readFileSync(file, 'utf8');
    try {
      doc = text.trim() ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch (err) {
      throw new BosunError('INVALID_INPUT', `${file} is not valid JSON: ${(err as Error).message}`, {
        hint: 'fix the file, or print the snippet with `bosun mcp config` and paste it yourself',
      });
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw new BosunError('INVALID_INPUT', `${file} does not hold a JSON object`, {
        hint: 'fix or move the file, then retry',
      });
    }
    backup = `${file}.bosun-backup-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.copyFileSync(file, backup);
  }
  const key = containerKey(client);
  const servers = (doc[key] && typeof doc[key] === 'object' ? doc[key] : {}) as Record<string, unknown>;
  const replaced = launch.name in servers;
  doc[key] = { ...servers, [launch.name]: entry };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n');
  fs.renameSync(tmp, file);
  return { file, backup, replaced };
}
