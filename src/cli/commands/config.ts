import type { Command } from 'commander';
import {
  configLeaves,
  describeConfigKey,
  getPath,
  setConfigValue,
  BosunError,
  redactUrl,
  SECRET_CONFIG_KEYS,
} from '../../core/index.js';
import { emit, table } from '../output.js';
import type { Wrap } from './wrap.js';
import { commandSummaries } from './summaries.js';

const SECRET_KEYS: ReadonlySet<string> = new Set(SECRET_CONFIG_KEYS);
function mask(key: string, v: unknown): unknown {
  if (key === 'connections' && v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v as Record<string, { url: string }>).map(([name, c]) => [
        name,
        { url: redactUrl(String(c.url)) },
      ]),
    );
  if (typeof v !== 'string' || !SECRET_KEYS.has(key)) return v;
  return key === 'database.url' ? redactUrl(v) : `${v.slice(0, 4)}…`;
}

export function registerConfigCommands(program: Command, wrap: Wrap): void {
  const config = program.command('config').description(commandSummaries.config);

  config
    .command('show')
    .description('every key with its value, source (default/file/env/flag) and environment variable')
    .action(
      wrap(async (ctx) => {
        const rows = configLeaves().map((leaf) => ({
          key: leaf.key,
          value: mask(leaf.key, getPath(ctx.config, leaf.key)),
          source: ctx.loaded.sources[leaf.key],
          env: leaf.env,
          description: describeConfigKey(leaf.key) ?? '',
        }));
        emit(
          ctx,
          { file: ctx.paths.configFile, keys: rows },
          () => `config file: ${ctx.paths.configFile}\n\n` + table(rows),
        );
      }),
    );

  config
    .command('get <key>')
    .description('print one value (dotted key, e.g. database.url)')
    .action(
      wrap(async (ctx, key: string) => {
        const leaf = configLeaves().find((l) => l.key === key);
        if (!leaf)
          throw new BosunError('INVALID_INPUT', `unknown config key '${key}'`, { hint: 'see `bosun config show`' });
        const value = getPath(ctx.config, key);
        emit(ctx, { key, value, source: ctx.loaded.sources[key] }, () => (value === undefined ? '' : String(value)));
      }),
    );

  config
    .command('set <key> <value>')
    .description('validate and write one value to the config file (keeps comments)')
    .action(
      wrap(async (ctx, key: string, value: string) => {
        const written = setConfigValue(ctx.paths, key, value);
        emit(
          ctx,
          { key, value: mask(key, written), file: ctx.paths.configFile },
          () => `${key} = ${String(mask(key, written))}  (${ctx.paths.configFile})`,
        );
      }),
    );
}
