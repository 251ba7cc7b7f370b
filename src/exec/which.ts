import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { isBosunError, parseWith } from '../core/index.js';
import { runCommand } from './run.js';

const commandSchema = z.string().min(1, 'the command is empty');

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return false;
    await fs.access(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The absolute path `command` would run as, or null. A name with a slash is checked as a path;
 * a bare name is searched in PATH (POSIX only, like the rest of exec/). Empty PATH entries, which
 * mean "the current directory", are skipped so a file in the cwd never shadows a real tool.
 */
export async function which(command: string): Promise<string | null> {
  parseWith(commandSchema, command, 'command');
  if (command.includes('/')) {
    const file = path.resolve(command);
    return (await isExecutableFile(file)) ? file : null;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.resolve(dir, command);
    if (await isExecutableFile(file)) return file;
  }
  return null;
}

export interface ToolProbe {
  name: string;
  path: string | null;
  version: string | null;
  ok: boolean;
  error?: string;
}

export interface ProbeOptions {
  versionArgs?: string[];
  /** The first match is the version; when the pattern has a capture group, group 1 is. */
  versionPattern?: RegExp;
  timeoutMs?: number;
}

/** `2.43.0`, `20.20.2` (of `v20.20.2`), `3.12.1rc1`, `2024.08.06`, `5.3.4-dev`. */
const DEFAULT_VERSION_PATTERN = /\d+(?:\.\d+)+(?:[-+]?[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?/;

const probeOptionsSchema = z
  .object({
    versionArgs: z.array(z.string()).optional(),
    versionPattern: z.instanceof(RegExp).optional(),
    timeoutMs: z.number().int().min(1).optional(),
  })
  .strict();

/**
 * Is the tool there, and which version? For `bosun doctor` and routing: never throws for a
 * missing or broken tool, it reports it. Some tools print their version on stderr, so both
 * streams are searched.
 */
export async function probeTool(command: string, options: ProbeOptions = {}): Promise<ToolProbe> {
  parseWith(commandSchema, command, 'command');
  const opts = parseWith(probeOptionsSchema, options, 'probe options');
  const name = path.basename(command);
  const found = await which(command);
  if (found === null) return { name, path: null, version: null, ok: false, error: `${command} not found on PATH` };
  try {
    const result = await runCommand(found, opts.versionArgs ?? ['--version'], {
      timeoutMs: opts.timeoutMs ?? 5_000,
      killGraceMs: 500,
      maxOutputBytes: 64 * 1024,
    });
    const match = (opts.versionPattern ?? DEFAULT_VERSION_PATTERN).exec(`${result.stdout}\n${result.stderr}`);
    const version = match ? (match[1] ?? match[0]) : null;
    if (result.ok) return { name, path: found, version, ok: true };
    const why = result.timedOut
      ? `timed out after ${opts.timeoutMs ?? 5_000} ms`
      : result.signal
        ? `killed by ${result.signal}`
        : `exited with code ${result.exitCode}`;
    const detail = result.stderr.trim().split('\n').pop();
    return { name, path: found, version, ok: false, error: detail ? `${why}: ${detail}` : why };
  } catch (err) {
    // The file can vanish or lose its permissions between which() and the run.
    if (isBosunError(err)) return { name, path: found, version: null, ok: false, error: err.message };
    throw err;
  }
}
