import fs from 'node:fs';
import { KNOWN_TOOLS, probeTool, sandboxSupport } from '../exec/index.js';
import { migrationStatus, serverVersion } from '../db/index.js';
import { allMigrations } from '../migrations.js';
import type { CliContext } from './context.js';

export type CheckStatus = 'ok' | 'missing' | 'error';

export interface Check {
  name: string;
  status: CheckStatus;
  required: boolean;
  version: string | null;
  detail: string;
  hint?: string;
  /** What needs it (optional tools). */
  feature?: string;
  /** The Debian package that provides it. */
  package?: string;
}

async function nodeCheck(): Promise<Check> {
  const major = Number(process.versions.node.split('.')[0]);
  return {
    name: 'node',
    status: major >= 20 ? 'ok' : 'error',
    required: true,
    version: process.versions.node,
    detail: major >= 20 ? 'Node.js >= 20' : 'Node.js 20 or newer is required',
    ...(major >= 20 ? {} : { hint: 'install Node.js 20 LTS or newer' }),
  };
}

async function postgresCheck(ctx: CliContext): Promise<Check> {
  try {
    const db = await ctx.db();
    const v = await serverVersion(db.pool);
    const m = await migrationStatus(db.pool, allMigrations);
    return {
      name: 'postgresql',
      status: 'ok',
      required: true,
      version: v.version,
      detail: `${db.target.mode}, reachable, migrations ${m.applied}/${m.total}`,
    };
  } catch (err) {
    const e = err as { message: string; hint?: string };
    return { name: 'postgresql', status: 'error', required: true, version: null, detail: e.message, hint: e.hint };
  }
}

async function duckdbCheck(): Promise<Check> {
  try {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    const reader = await conn.runAndReadAll('SELECT version() AS v');
    const version = String(reader.getRowObjects()[0]?.v ?? '');
    conn.closeSync();
    instance.closeSync();
    return { name: 'duckdb', status: 'ok', required: true, version, detail: '@duckdb/node-api loads (core + parquet)' };
  } catch (err) {
    return {
      name: 'duckdb',
      status: 'error',
      required: true,
      version: null,
      detail: `@duckdb/node-api failed to load: ${(err as Error).message}`,
      hint: 'reinstall dependencies with `npm ci`',
    };
  }
}

function lakeCheck(ctx: CliContext): Check {
  const dir = ctx.config.lake.dataPath ?? ctx.paths.lake;
  try {
    fs.mkdirSync(dir, { recursive: true });
    const probe = `${dir}/.doctor-${process.pid}`;
    fs.writeFileSync(probe, 'ok');
    fs.rmSync(probe);
    const st = fs.statfsSync(dir);
    const freeGiB = (st.bavail * st.bsize) / 2 ** 30;
    const low = freeGiB < 1;
    return {
      name: 'lake directory',
      status: low ? 'error' : 'ok',
      required: true,
      version: null,
      detail: `${dir} writable, ${freeGiB.toFixed(1)} GiB free`,
      ...(low ? { hint: 'free disk space or move the lake with `bosun config set lake.dataPath DIR`' } : {}),
    };
  } catch (err) {
    return {
      name: 'lake directory',
      status: 'error',
      required: true,
      version: null,
      detail: `${dir} is not writable: ${(err as Error).message}`,
      hint: 'fix its permissions or choose another with `bosun config set lake.dataPath DIR`',
    };
  }
}

/** Which isolation sandboxed code gets here: bubblewrap and how, and what limits memory and processes. */
async function sandboxCheck(ctx: CliContext): Promise<Check> {
  const s = await sandboxSupport();
  const limits =
    s.limits === 'cgroup' ? `whole-run limits from cgroup ${s.cgroup}` : `per-process rlimits only (${s.cgroupDetail})`;
  const optIn = ctx.config.sandbox.allowUnconfined;
  return {
    name: 'sandbox',
    status: s.bubblewrap.ok ? 'ok' : optIn ? 'missing' : 'error',
    required: false,
    version: s.bubblewrap.version,
    detail: s.bubblewrap.ok
      ? `${s.bubblewrap.detail}; ${limits}`
      : `${s.bubblewrap.detail}: untrusted code is ${optIn ? 'run UNCONFINED (sandbox.allowUnconfined)' : 'refused'}`,
    feature: 'agents that run user or model code (python, ml, gpu, testing, scrapy)',
    package: 'bubblewrap',
    ...(s.bubblewrap.ok ? {} : { hint: 'apt-get install -y bubblewrap, and allow user namespaces' }),
  };
}

async function toolChecks(): Promise<Check[]> {
  return Promise.all(
    KNOWN_TOOLS.map(async (tool) => {
      const probe = await probeTool(tool.name, tool.versionArgs ? { versionArgs: tool.versionArgs } : {});
      return {
        name: tool.name,
        status: probe.ok ? 'ok' : probe.path ? 'error' : 'missing',
        required: false,
        version: probe.version,
        detail: probe.ok ? (probe.path ?? '') : (probe.error ?? 'not found on PATH'),
        feature: tool.feature,
        package: tool.package,
        ...(probe.ok ? {} : { hint: `apt-get install -y ${tool.package}` }),
      } satisfies Check;
    }),
  );
}

export async function runDoctor(ctx: CliContext): Promise<{ ok: boolean; checks: Check[] }> {
  const [node, postgres, duckdb, sandbox, tools] = await Promise.all([
    nodeCheck(),
    postgresCheck(ctx),
    duckdbCheck(),
    sandboxCheck(ctx),
    toolChecks(),
  ]);
  const checks = [node, postgres, duckdb, lakeCheck(ctx), sandbox, ...tools];
  return { ok: checks.every((c) => !c.required || c.status === 'ok'), checks };
}

export function renderDoctor(report: { ok: boolean; checks: Check[] }): string {
  const mark = { ok: '✔', missing: '–', error: '✘' } as const;
  const lines = report.checks.map((c) => {
    const head = `${mark[c.status]} ${c.name.padEnd(15)} ${(c.version ?? '').padEnd(14)} ${c.detail}`;
    const extra = [c.feature ? `needed for: ${c.feature}` : '', c.hint ? `hint: ${c.hint}` : ''].filter(Boolean);
    return c.status === 'ok' ? head : [head, ...extra.map((e) => `    ${e}`)].join('\n');
  });
  lines.push('', report.ok ? 'all required parts are ok' : 'a required part failed');
  return lines.join('\n');
}
