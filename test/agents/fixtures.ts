import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bosunPaths, type BosunPaths } from '../../src/core/index.js';
import { openAgentRegistry, type AgentRegistry, type Endpoints } from '../../src/agents/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/** A throw-away Bosun home with its own database, and a registry opened on both. */
export interface AgentsFixture {
  db: TestDatabase;
  home: string;
  paths: BosunPaths;
  /** Writes a user manifest into $BOSUN_HOME/agents. */
  addUserManifest(file: string, yaml: string): string;
  open(options?: { endpoints?: Endpoints }): Promise<AgentRegistry>;
  cleanup(): Promise<void>;
}

export async function agentsFixture(): Promise<AgentsFixture> {
  const db = await createTestDatabase();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-agents-'));
  const paths = bosunPaths(home);
  fs.mkdirSync(paths.agents, { recursive: true });
  return {
    db,
    home,
    paths,
    addUserManifest(file, yaml) {
      const full = path.join(paths.agents, file);
      fs.writeFileSync(full, yaml);
      return full;
    },
    open: (options = {}) => openAgentRegistry({ pool: db.pool, paths, endpoints: options.endpoints ?? {} }),
    async cleanup() {
      await db.drop();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
