import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import lockfile from 'proper-lockfile';
import { assertPrivateFile, BosunError, sha256, silentLogger, type BosunPaths, type Logger } from '../core/index.js';
// exec (execa) is imported when a tool runs: a command finding the server up never spawns one.
import type { RunResult } from '../exec/index.js';
import { binariesIn, locateBinaries, type PostgresBinaries } from './binaries.js';
import { serverUser, traversableByOthers, type OsUser } from './os-user.js';

/** Where the relocated server lives when running as root and $BOSUN_HOME is private. */
const ROOT_SERVER_BASE = '/var/lib/bosun';
const SUPERUSER = 'bosun';
const DATABASE = 'bosun';

/** What `bosun status` shows of the embedded server; written to `$BOSUN_HOME/run/postgres.json`. */
export interface EmbeddedState {
  port: number;
  pid: number;
  serverRoot: string;
  dataDir: string;
  logFile: string;
  osUser: string;
  version: string;
  startedAt: string;
}

export interface EmbeddedServer {
  url: string;
  state: EmbeddedState;
  /** True when this call started the server (false: it was already running). */
  started: boolean;
}

interface Layout {
  serverRoot: string;
  dataDir: string;
  logFile: string;
  credentialsFile: string;
  user: OsUser | null;
  bins: PostgresBinaries;
}

const stateFile = (paths: BosunPaths) => path.join(paths.run, 'postgres.json');

/**
 * As root, the server runs as `postgres`, which must reach its data directory and binaries.
 * A private home (e.g. under /root) is not reachable, so the cluster then lives under
 * /var/lib/bosun/<hash of home>, and `$BOSUN_HOME/postgres` is a symlink to it.
 */
async function layout(paths: BosunPaths): Promise<Layout> {
  const user = await serverUser();
  let serverRoot = paths.postgres;
  let bins = await locateBinaries();
  if (user) {
    // Decided once: a symlink records a relocation, a real folder a cluster kept in place. Only
    // the parents matter: the server root itself is private to `postgres` (mode 0700).
    const existing = readLink(paths.postgres);
    if (existing) serverRoot = existing;
    else if (!isDirectory(paths.postgres) && !traversableByOthers(path.dirname(paths.postgres))) {
      serverRoot = path.join(ROOT_SERVER_BASE, sha256(paths.home).slice(0, 16), 'postgres');
    }
    if (!traversableByOthers(bins.nativeDir)) {
      bins = binariesIn(bins, path.join(ROOT_SERVER_BASE, 'bin', `postgres-${bins.version}`));
    }
  }
  return {
    serverRoot,
    dataDir: path.join(serverRoot, 'data'),
    logFile: path.join(serverRoot, 'server.log'),
    credentialsFile: path.join(serverRoot, 'credentials.json'),
    user,
    bins,
  };
}

function isDirectory(p: string): boolean {
  try {
    return fs.lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

function readLink(p: string): string | null {
  try {
    return fs.lstatSync(p).isSymbolicLink() ? fs.realpathSync(p) : null;
  } catch {
    return null;
  }
}

/** Copies the binaries where `postgres` can execute them (once per version). */
async function ensureBinaries(original: PostgresBinaries, target: PostgresBinaries): Promise<void> {
  if (original.nativeDir === target.nativeDir) return;
  const marker = path.join(target.nativeDir, '.complete');
  if (fs.existsSync(marker)) return;
  const tmp = `${target.nativeDir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(tmp), { recursive: true, mode: 0o755 });
  fs.cpSync(original.nativeDir, tmp, { recursive: true, verbatimSymlinks: true });
  fs.writeFileSync(path.join(tmp, '.complete'), original.version);
  fs.rmSync(target.nativeDir, { recursive: true, force: true });
  fs.renameSync(tmp, target.nativeDir);
}

function asServerUser(user: OsUser | null) {
  return user ? { uid: user.uid, gid: user.gid } : {};
}

function prepareServerRoot(paths: BosunPaths, lay: Layout): void {
  // Parents must stay traversable for the `postgres` user; only the server root is private.
  fs.mkdirSync(path.dirname(lay.serverRoot), { recursive: true, mode: 0o755 });
  fs.mkdirSync(lay.serverRoot, { recursive: true, mode: 0o700 });
  if (lay.user) {
    fs.chownSync(lay.serverRoot, lay.user.uid, lay.user.gid);
    if (lay.serverRoot !== paths.postgres && !fs.existsSync(paths.postgres)) {
      fs.mkdirSync(path.dirname(paths.postgres), { recursive: true });
      fs.symlinkSync(lay.serverRoot, paths.postgres);
    }
  }
}

async function pgTool(lay: Layout, tool: string, args: string[], timeoutMs = 120_000): Promise<RunResult> {
  const { runCommand } = await import('../exec/index.js');
  return runCommand(tool, args, {
    ...asServerUser(lay.user),
    cwd: lay.serverRoot,
    env: { HOME: lay.serverRoot, LC_ALL: 'C', LANG: 'C' },
    timeoutMs,
  });
}

function failed(what: string, res: RunResult, lay: Layout): BosunError {
  const tail = (res.stderr || res.stdout).trim().split('\n').slice(-8).join('\n');
  return new BosunError('EMBEDDED_PG_FAILED', `${what} failed (exit ${res.exitCode ?? res.signal}): ${tail}`, {
    hint: `see ${lay.logFile}; or set BOSUN_DATABASE_URL to use an external PostgreSQL`,
  });
}

async function initCluster(lay: Layout, logger: Logger): Promise<void> {
  if (fs.existsSync(path.join(lay.dataDir, 'PG_VERSION'))) return;
  logger.info({ dataDir: lay.dataDir }, 'initialising embedded PostgreSQL cluster');
  fs.rmSync(lay.dataDir, { recursive: true, force: true });
  const password = crypto.randomBytes(24).toString('hex');
  const pwfile = path.join(lay.serverRoot, `.pw-${process.pid}`);
  fs.writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  if (lay.user) fs.chownSync(pwfile, lay.user.uid, lay.user.gid);
  try {
    const res = await pgTool(lay, lay.bins.initdb, [
      `--pgdata=${lay.dataDir}`,
      `--username=${SUPERUSER}`,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
      '--no-instructions',
    ]);
    if (!res.ok) throw failed('initdb', res, lay);
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
  fs.appendFileSync(path.join(lay.dataDir, 'postgresql.conf'), "\ninclude_if_exists = 'bosun.conf'\n");
  fs.writeFileSync(lay.credentialsFile, JSON.stringify({ user: SUPERUSER, password }) + '\n', { mode: 0o600 });
}

function credentials(lay: Layout): { user: string; password: string } {
  assertPrivateFile(lay.credentialsFile, "the embedded server's credentials");
  try {
    return JSON.parse(fs.readFileSync(lay.credentialsFile, 'utf8')) as { user: string; password: string };
  } catch (err) {
    throw new BosunError(
      'EMBEDDED_PG_FAILED',
      `cannot read the embedded server's credentials at ${lay.credentialsFile}`,
      {
        hint: 'if the cluster is disposable, remove the folder and run `bosun up` to create a fresh one',
        cause: err,
      },
    );
  }
}

/** Settings we own, rewritten before every start (the port may change). */
function writeServerConf(lay: Layout, port: number): void {
  const conf = [
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    "unix_socket_directories = ''",
    'max_connections = 300',
    'shared_buffers = 128MB',
    'logging_collector = off',
    '',
  ].join('\n');
  const file = path.join(lay.dataDir, 'bosun.conf');
  fs.writeFileSync(file, conf, { mode: 0o600 });
  if (lay.user) fs.chownSync(file, lay.user.uid, lay.user.gid);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A killed server whose parent never reaps it stays a zombie, which kill(0) still finds.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/** postmaster.pid: line 1 is the pid, line 4 the port. */
function readPostmasterPid(dataDir: string): { pid: number; port: number } | null {
  try {
    const lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    return { pid: Number(lines[0]), port: Number(lines[3]) };
  } catch {
    return null;
  }
}

export function readEmbeddedState(paths: BosunPaths): EmbeddedState | null {
  try {
    return JSON.parse(fs.readFileSync(stateFile(paths), 'utf8')) as EmbeddedState;
  } catch {
    return null;
  }
}

function writeState(paths: BosunPaths, state: EmbeddedState): void {
  fs.mkdirSync(paths.run, { recursive: true });
  const tmp = `${stateFile(paths)}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  fs.renameSync(tmp, stateFile(paths));
}

function urlFor(lay: Layout, port: number, database = DATABASE): string {
  const c = credentials(lay);
  return `postgresql://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@127.0.0.1:${port}/${database}`;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(lay: Layout, port: number): Promise<void> {
  const client = new pg.Client({ connectionString: urlFor(lay, port, 'postgres'), connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) {
      // Two starters can race here only without the lock; tolerate "already exists" anyway.
      await client.query(`CREATE DATABASE ${DATABASE}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err;
      });
    }
  } finally {
    await client.end();
  }
}

async function withStartLock<T>(paths: BosunPaths, logger: Logger, fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(paths.run, { recursive: true });
  const target = path.join(paths.run, 'postgres');
  // A lock left by a crashed process goes stale after 10 s of no updates, and is taken over.
  const release = await lockfile
    .lock(target, {
      realpath: false,
      stale: 10_000,
      update: 2_000,
      retries: { retries: 600, minTimeout: 50, maxTimeout: 250, factor: 1.2 },
      onCompromised: (err) => logger.warn({ err }, 'embedded server lock was compromised'),
    })
    .catch((err: unknown) => {
      throw new BosunError(
        'EMBEDDED_PG_FAILED',
        `could not take the start lock ${target}.lock: ${(err as Error).message}`,
        {
          hint: 'another bosun process may be stuck starting the server; if none runs, remove the .lock folder',
        },
      );
    });
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}

/** The server described by the state file, when it runs and answers. */
async function runningServer(paths: BosunPaths, lay: Layout): Promise<EmbeddedServer | null> {
  const state = readEmbeddedState(paths);
  if (!state || state.dataDir !== lay.dataDir || !pidAlive(state.pid)) return null;
  const pm = readPostmasterPid(lay.dataDir);
  if (!pm || pm.pid !== state.pid) return null;
  const url = urlFor(lay, state.port);
  return (await canConnect(url)) ? { url, state, started: false } : null;
}

/**
 * Starts the embedded server if it is not running (any command that needs the database calls
 * this). A lock makes concurrent starters end with one server; a stale postmaster.pid left by
 * `kill -9` is handled by PostgreSQL itself, and a start that fails on leftovers is retried.
 */
export async function ensureEmbeddedServer(
  paths: BosunPaths,
  options: { port?: number; logger?: Logger } = {},
): Promise<EmbeddedServer> {
  const logger = options.logger ?? silentLogger;
  const lay = await layout(paths);
  const fast = await runningServer(paths, lay);
  if (fast) return fast;

  return withStartLock(paths, logger, async () => {
    const again = await runningServer(paths, lay);
    if (again) return again;
    await ensureBinaries(await locateBinaries(), lay.bins);
    prepareServerRoot(paths, lay);
    await initCluster(lay, logger);

    // Running already (state file lost or stale)? Adopt it.
    const pm = readPostmasterPid(lay.dataDir);
    if (pm && pidAlive(pm.pid) && (await canConnect(urlFor(lay, pm.port)))) {
      const state = makeState(lay, pm.pid, pm.port);
      writeState(paths, state);
      return { url: urlFor(lay, pm.port), state, started: false };
    }

    const previous = readEmbeddedState(paths)?.port;
    const wanted = options.port || previous;
    const port =
      wanted && (await portIsFree(wanted)) ? wanted : options.port ? busyPort(options.port) : await freePort();
    writeServerConf(lay, port);
    await startWithRetry(lay, logger);
    const started = readPostmasterPid(lay.dataDir);
    if (!started) throw new BosunError('EMBEDDED_PG_FAILED', 'the server started but wrote no postmaster.pid');
    await ensureDatabase(lay, port);
    const state = makeState(lay, started.pid, port);
    writeState(paths, state);
    logger.info({ port, pid: started.pid }, 'embedded PostgreSQL started');
    return { url: urlFor(lay, port), state, started: true };
  });
}

function busyPort(port: number): never {
  throw new BosunError('EMBEDDED_PG_FAILED', `port ${port} (postgres.port) is in use on 127.0.0.1`, {
    hint: 'choose another with `bosun config set postgres.port N`, or 0 for any free port',
  });
}

function makeState(lay: Layout, pid: number, port: number): EmbeddedState {
  return {
    port,
    pid,
    serverRoot: lay.serverRoot,
    dataDir: lay.dataDir,
    logFile: lay.logFile,
    osUser: lay.user?.name ?? process.env.USER ?? String(process.getuid?.()),
    version: lay.bins.version,
    startedAt: new Date().toISOString(),
  };
}

async function startWithRetry(lay: Layout, logger: Logger): Promise<void> {
  let last: RunResult | undefined;
  for (let attempt = 1; attempt <= 3; attempt++) {
    last = await pgTool(lay, lay.bins.pgCtl, ['start', '-D', lay.dataDir, '-l', lay.logFile, '-w', '-t', '60', '-s']);
    if (last.ok) return;
    // After a kill -9, orphaned backends may hold shared memory for a moment.
    logger.warn({ attempt, stderr: last.stderr.trim() }, 'embedded PostgreSQL did not start; retrying');
    await new Promise((r) => setTimeout(r, 1_000 * attempt));
  }
  throw failed('pg_ctl start', last!, lay);
}

/** Stops the embedded server cleanly (fast shutdown: open transactions roll back). */
export async function stopEmbeddedServer(
  paths: BosunPaths,
  logger: Logger = silentLogger,
): Promise<{ stopped: boolean }> {
  const lay = await layout(paths);
  return withStartLock(paths, logger, async () => {
    const pm = readPostmasterPid(lay.dataDir);
    if (!pm || !pidAlive(pm.pid)) return { stopped: false };
    const res = await pgTool(lay, lay.bins.pgCtl, ['stop', '-D', lay.dataDir, '-m', 'fast', '-w', '-t', '60', '-s']);
    if (!res.ok) throw failed('pg_ctl stop', res, lay);
    return { stopped: true };
  });
}

export interface EmbeddedStatus {
  running: boolean;
  state: EmbeddedState | null;
  dataDir: string;
}

/** Reads status without starting anything. */
export async function embeddedStatus(paths: BosunPaths): Promise<EmbeddedStatus> {
  const lay = await layout(paths);
  const state = readEmbeddedState(paths);
  const pm = readPostmasterPid(lay.dataDir);
  const running = !!pm && pidAlive(pm.pid);
  return { running, state: running && state ? { ...state, pid: pm.pid, port: pm.port } : state, dataDir: lay.dataDir };
}

/** The connection URL of a running embedded server (for `bosun status` / tests). */
export async function embeddedUrl(paths: BosunPaths, port: number, database = DATABASE): Promise<string> {
  return urlFor(await layout(paths), port, database);
}
