import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configLeaves, loadConfig, resolveHome, setConfigValue } from '../../src/core/index.js';

describe('configuration', () => {
  let home: string;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-config-'));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  const write = (text: string) => fs.writeFileSync(path.join(home, 'config.yaml'), text);

  it('has defaults when there is no file', () => {
    const { config, sources } = loadConfig({ home, env: {} });
    expect(config.worker.concurrency).toBe(4);
    expect(config.database.url).toBeUndefined();
    expect(sources['worker.concurrency']).toBe('default');
  });

  it('layers file < environment < flags', () => {
    write('worker:\n  concurrency: 3\nlog:\n  level: debug\n');
    const env = { BOSUN_WORKER_CONCURRENCY: '7', BOSUN_LAKE_DATA_PATH: '/data/lake' };
    const fileOnly = loadConfig({ home, env: {} });
    expect(fileOnly.config.worker.concurrency).toBe(3);
    const withEnv = loadConfig({ home, env });
    expect(withEnv.config.worker.concurrency).toBe(7);
    expect(withEnv.config.lake.dataPath).toBe('/data/lake');
    expect(withEnv.sources['worker.concurrency']).toBe('env');
    expect(withEnv.config.log.level).toBe('debug');
    const withFlag = loadConfig({ home, env, overrides: { 'worker.concurrency': 9 } });
    expect(withFlag.config.worker.concurrency).toBe(9);
    expect(withFlag.sources['worker.concurrency']).toBe('flag');
  });

  it('names the bad key and the expected form for an invalid file', () => {
    write('worker:\n  concurrency: many\n');
    expect(() => loadConfig({ home, env: {} })).toThrow(/worker\.concurrency: Expected number/);
    write('database:\n  url: mysql://x\n');
    expect(() => loadConfig({ home, env: {} })).toThrow(/database\.url: expected a postgres/);
    write('databse:\n  url: postgres://x\n');
    expect(() => loadConfig({ home, env: {} })).toThrow(/Unrecognized key.*databse/);
    write('worker: [1, 2\n');
    expect(() => loadConfig({ home, env: {} })).toThrow(/not valid YAML/);
  });

  it('rejects an invalid environment value with the key it maps to', () => {
    expect(() => loadConfig({ home, env: { BOSUN_WORKER_CONCURRENCY: '0' } })).toThrow(/worker\.concurrency/);
  });

  it('set validates before writing and keeps comments', () => {
    write('# my notes\nworker:\n  concurrency: 2 # two is enough\n');
    const paths = loadConfig({ home, env: {} }).paths;
    setConfigValue(paths, 'postgres.port', '5544');
    const text = fs.readFileSync(paths.configFile, 'utf8');
    expect(text).toContain('# my notes');
    expect(text).toContain('# two is enough');
    expect(loadConfig({ home, env: {} }).config.postgres.port).toBe(5544);

    expect(() => setConfigValue(paths, 'worker.concurrency', '-1')).toThrow(/worker\.concurrency/);
    expect(() => setConfigValue(paths, 'no.such', '1')).toThrow(/unknown config key 'no\.such'/);
    expect(fs.readFileSync(paths.configFile, 'utf8')).toBe(text);
  });

  it('maps every key to a BOSUN_ variable', () => {
    const envs = configLeaves().map((l) => l.env);
    expect(envs).toContain('BOSUN_DATABASE_URL');
    expect(envs).toContain('BOSUN_LAKE_DATA_PATH');
    expect(new Set(envs).size).toBe(envs.length);
  });

  it('resolves the home from flag, then BOSUN_HOME, then XDG', () => {
    expect(resolveHome('/x/flag', { BOSUN_HOME: '/x/env' })).toBe('/x/flag');
    expect(resolveHome(undefined, { BOSUN_HOME: '/x/env' })).toBe('/x/env');
    expect(resolveHome(undefined, { XDG_DATA_HOME: '/x/xdg' })).toBe('/x/xdg/bosun');
  });
});
