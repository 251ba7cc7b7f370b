import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { bosunPaths } from '../../src/core/index.js';
import { ensureEmbeddedServer, stopEmbeddedServer, readEmbeddedState } from '../../src/db/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * One PostgreSQL server for the whole run: BOSUN_TEST_DATABASE_URL when set, else a real
 * embedded server in a throw-away home. Each test file then creates its own database.
 */
export default async function setup(project: TestProject) {
  const external = process.env.BOSUN_TEST_DATABASE_URL;
  if (external) {
    project.provide('databaseUrl', external);
    return;
  }
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-test-'));
  const paths = bosunPaths(home);
  const server = await ensureEmbeddedServer(paths);
  project.provide('databaseUrl', server.url);
  return async () => {
    const state = readEmbeddedState(paths);
    await stopEmbeddedServer(paths);
    fs.rmSync(home, { recursive: true, force: true });
    if (state && !state.serverRoot.startsWith(home))
      fs.rmSync(path.dirname(state.serverRoot), { recursive: true, force: true });
  };
}
