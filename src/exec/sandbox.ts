import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { BosunError, parseWith } from '../core/index.js';
import { cgroupSupport, createRunCgroup, type RunCgroup } from './cgroup.js';
import { ensureSystemUser, type OsUser } from './os-user.js';
import { runCommand, type RunOptions, type RunResult } from './run.js';
import { which } from './which.js';

/**
 * The sandbox for code written by a user or a model: the one way agents run it. The caller
 * names what the code may touch (its working folder, extra read-only paths, the network); the
 * sandbox applies what this machine allows and reports it truthfully in `SandboxReport`.
 *
 * Inside: bubblewrap with fresh mount, PID, IPC, UTS and network namespaces (the host's network
 * only with `allowNetwork`), a new /proc, the system directories read-only, the working folder
 * (and `writable`) as the only writable places, `readOnly` paths visible, nothing else of the
 * host's files — so nothing of $BOSUN_HOME that was not given. As an ordinary user bubblewrap
 * also makes a user namespace and keeps no capabilities; as root it drops to the `bosun-sandbox`
 * user with no capabilities and no_new_privs before the code starts (root's files and root's
 * privileges stay outside). Limits for the whole run come from a cgroup (all processes
 * together), else from rlimits per process. Where bubblewrap cannot run, untrusted code is
 * refused unless the user opted in (`sandbox.allowUnconfined`).
 */
export interface SandboxOptions extends Pick<
  RunOptions,
  | 'env'
  | 'envAllowlist'
  | 'timeoutMs'
  | 'killGraceMs'
  | 'maxOutputBytes'
  | 'input'
  | 'signal'
  | 'onStdoutLine'
  | 'onStderrLine'
> {
  /** The only writable place, and the working directory. */
  workDir: string;
  /** Paths the code may read besides the system directories (a virtual environment, input files). */
  readOnly?: string[];
  /** Further writable paths (a per-project cache); keep it short. */
  writable?: string[];
  /** Shares the host's network (loopback included); without it the run has no network at all. */
  allowNetwork?: boolean;
  /** For the whole run (all its processes together where the machine allows it). */
  memoryMb: number;
  /** Processes at once; default 256. */
  maxProcesses?: number;
  /** CPU cores' worth of time (cgroup only); default unlimited. */
  cpus?: number;
  /** Run without isolation where bubblewrap cannot work (config `sandbox.allowUnconfined`); default false. */
  allowUnconfined?: boolean;
}

export interface SandboxReport {
  /** What confined the run: bubblewrap, or nothing (only with allowUnconfined). */
  isolation: 'bubblewrap' | 'none';
  /** `jail`: only the named paths are visible; `host`: the host's files are visible (read per Unix permissions). */
  fs: 'jail' | 'host';
  /** `allowed`: the host's network namespace, as asked. */
  network: 'isolated' | 'allowed' | 'not-isolated';
  /** How memory is capped: for the whole run (cgroup) or per process (rlimit). */
  memory: 'cgroup' | 'rlimit' | 'none';
  /** How the number of processes is capped. */
  pids: 'cgroup' | 'rlimit' | 'none';
  cpu: 'cgroup' | 'none';
  /** Which cgroup hierarchy gave the limits, if any. */
  cgroup: 'v2' | 'v1' | null;
  /** The user the code runs as. */
  user: string;
  /** True when the code ran in a user namespace of its own. */
  userNamespace: boolean;
  /** `none`: every capability dropped; `host`: the caller's (unconfined runs). */
  capabilities: 'none' | 'host';
  memoryLimitMb: number;
  maxProcesses: number;
  /** The kernel killed a process of the run for exceeding the memory limit. */
  oomKilled: boolean;
  /** Why the run is less confined than asked, when it is. */
  note?: string;
}

export interface SandboxResult extends RunResult {
  sandbox: SandboxReport;
}

export const DEFAULT_MAX_PROCESSES = 256;
/** The most a sandboxed run may ask for; agents' input schemas stay within these (checked in the manifest schema). */
export const SANDBOX_LIMITS = {
  memoryMb: { min: 16, max: 65_536 },
  maxProcesses: { min: 1, max: 4_096 },
  cpus: { max: 256 },
};

const limitsSchema = z.object({
  workDir: z.string().refine((p) => path.isAbsolute(p), 'must be an absolute path'),
  memoryMb: z.number().int().min(SANDBOX_LIMITS.memoryMb.min).max(SANDBOX_LIMITS.memoryMb.max),
  maxProcesses: z.number().int().min(SANDBOX_LIMITS.maxProcesses.min).max(SANDBOX_LIMITS.maxProcesses.max).optional(),
  cpus: z.number().positive().max(SANDBOX_LIMITS.cpus.max).optional(),
  readOnly: z.array(z.string().refine((p) => path.isAbsolute(p), 'must be absolute paths')).optional(),
  writable: z.array(z.string().refine((p) => path.isAbsolute(p), 'must be absolute paths')).optional(),
});
/** The unprivileged user sandboxed code runs as when Bosun runs as root. */
export const SANDBOX_USER = 'bosun-sandbox';

/** How bubblewrap runs here: as root dropping to the sandbox user, or as the caller in a user namespace. */
type Mode = { kind: 'drop-root'; user: OsUser } | { kind: 'userns' };

export interface SandboxSupport {
  bubblewrap: { ok: boolean; path: string | null; version: string | null; detail: string };
  /** `drop-root`: Bosun is root, code runs as the sandbox user; `userns`: as the caller in a user namespace. */
  mode: Mode['kind'] | null;
  user: string | null;
  cgroup: 'v2' | 'v1' | null;
  cgroupDetail: string;
  /** What limits memory and processes here. */
  limits: 'cgroup' | 'rlimit';
}

const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/opt'];
/** Host files sandboxed code never reads, even where Unix permissions would let it. */
const ETC_SECRETS = ['/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-', '/etc/sudoers'];
const ETC_SECRET_DIRS = ['/etc/ssh', '/etc/sudoers.d', '/etc/ssl/private'];
/** Joins the cgroups named before `--`, then becomes the rest: a fixed script, arguments as data. */
const JOIN_CGROUP =
  'while [ "$#" -gt 0 ] && [ "$1" != -- ]; do echo "$$" > "$1" || exit 125; shift; done; shift; exec "$@"';

const isRoot = () => process.getuid?.() === 0;

function dropPrivileges(user: OsUser): string[] {
  return [
    'setpriv',
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
  ];
}

type Mount = { at: string; kind: 'bind' | 'tmpfs' | 'symlink'; args: string[] };

/**
 * Mounts of the jail, shallow paths first so a deeper one (a writable folder in a read-only one)
 * wins. bubblewrap makes missing parents of a bind with their source's mode (a 0700 temporary
 * folder stays 0700, closed to the sandbox user): parents that live in the jail's own tmpfs are
 * made first, traversable.
 */
function mountArgs(options: SandboxOptions): string[] {
  const mounts: Mount[] = [];
  for (const dir of SYSTEM_DIRS) {
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isSymbolicLink()) mounts.push({ at: dir, kind: 'symlink', args: ['--symlink', fs.readlinkSync(dir), dir] });
    else if (st.isDirectory()) mounts.push({ at: dir, kind: 'bind', args: ['--ro-bind', dir, dir] });
  }
  // CPU and memory topology only (hwloc, pocl and OpenMP size themselves from it); the rest of /sys stays out.
  for (const dir of ['/sys/devices/system'])
    if (fs.existsSync(dir)) mounts.push({ at: dir, kind: 'bind', args: ['--ro-bind', dir, dir] });
  // Sticky and world-writable like a real /tmp: bwrap (as root) makes it, the sandbox user writes in it.
  mounts.push({ at: '/tmp', kind: 'tmpfs', args: ['--perms', '1777', '--tmpfs', '/tmp'] });
  for (const file of ETC_SECRETS)
    if (fs.existsSync(file)) mounts.push({ at: file, kind: 'bind', args: ['--ro-bind', '/dev/null', file] });
  for (const dir of ETC_SECRET_DIRS)
    if (fs.existsSync(dir)) mounts.push({ at: dir, kind: 'tmpfs', args: ['--tmpfs', dir] });
  for (const p of options.readOnly ?? [])
    if (fs.existsSync(p)) mounts.push({ at: path.resolve(p), kind: 'bind', args: ['--ro-bind', p, p] });
  for (const p of options.writable ?? []) mounts.push({ at: path.resolve(p), kind: 'bind', args: ['--bind', p, p] });
  mounts.push({ at: path.resolve(options.workDir), kind: 'bind', args: ['--bind', options.workDir, options.workDir] });
  const depth = (p: string) => p.split('/').filter(Boolean).length;
  const inside = (p: string, root: string) => p === root || p.startsWith(root.endsWith('/') ? root : `${root}/`);
  const done: Mount[] = [];
  const made = new Set<string>();
  const args: string[] = [];
  for (const mount of mounts.sort((a, b) => depth(a.at) - depth(b.at))) {
    if (mount.kind === 'bind') {
      for (let parent = path.dirname(mount.at); parent !== '/'; parent = path.dirname(parent)) {
        const under = done.filter((m) => inside(parent, m.at)).sort((a, b) => depth(b.at) - depth(a.at))[0];
        if (under?.kind === 'bind') break;
        made.add(parent);
      }
      for (const dir of [...made].sort((a, b) => depth(a) - depth(b))) args.push('--perms', '0755', '--dir', dir);
      made.clear();
    }
    args.push(...mount.args);
    done.push(mount);
  }
  return args;
}

function bwrapArgs(mode: Mode, options: SandboxOptions): string[] {
  const namespaces =
    mode.kind === 'userns'
      ? ['--unshare-all', ...(options.allowNetwork ? ['--share-net'] : []), '--cap-drop', 'ALL']
      : [
          '--unshare-ipc',
          '--unshare-pid',
          '--unshare-uts',
          '--unshare-cgroup-try',
          ...(options.allowNetwork ? [] : ['--unshare-net']),
          // setpriv needs these to become the sandbox user; becoming it clears them, and setpriv drops the rest.
          '--cap-drop',
          'ALL',
          '--cap-add',
          'CAP_SETUID',
          '--cap-add',
          'CAP_SETGID',
          '--cap-add',
          'CAP_SETPCAP',
          // bwrap's own chdir into a work folder that is 0700 and lent to the sandbox user.
          '--cap-add',
          'CAP_DAC_OVERRIDE',
        ];
  return [
    ...namespaces,
    '--die-with-parent',
    '--new-session',
    '--hostname',
    'bosun-sandbox',
    ...mountArgs(options),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/dev/shm',
    '--chdir',
    options.workDir,
    '--',
    ...(mode.kind === 'drop-root' ? dropPrivileges(mode.user) : []),
  ];
}

let support: Promise<{ mode: Mode | null; detail: string; path: string | null; version: string | null }> | undefined;

/** Whether bubblewrap works here, and how (probed once per process with a real jail). */
function probeBubblewrap() {
  support ??= (async () => {
    const bwrap = await which('bwrap');
    if (!bwrap) return { mode: null, detail: 'bubblewrap is not installed', path: null, version: null };
    const version = (await runCommand('bwrap', ['--version'], { timeoutMs: 10_000 })).stdout.trim() || null;
    let mode: Mode;
    if (isRoot()) {
      if (!(await which('setpriv')))
        return { mode: null, detail: 'setpriv (util-linux) is missing: cannot drop root', path: bwrap, version };
      mode = { kind: 'drop-root', user: await ensureSystemUser(SANDBOX_USER) };
    } else mode = { kind: 'userns' };
    const probe = await runCommand('bwrap', [...bwrapArgs(mode, { workDir: '/tmp', memoryMb: 64 }), 'true'], {
      timeoutMs: 15_000,
    });
    if (!probe.ok) {
      const why = probe.stderr.trim().split('\n').at(-1) || `exit ${probe.exitCode}`;
      return { mode: null, detail: `bubblewrap cannot create its namespaces here: ${why}`, path: bwrap, version };
    }
    const detail =
      mode.kind === 'drop-root'
        ? `as root: namespaces, then the ${SANDBOX_USER} user (uid ${mode.user.uid}) with no capabilities`
        : 'as this user in a user namespace of its own, no capabilities';
    return { mode, detail, path: bwrap, version };
  })();
  return support;
}

/** What isolation this machine gives sandboxed code (for `bosun doctor`). */
export async function sandboxSupport(): Promise<SandboxSupport> {
  const found = await probeBubblewrap();
  const cgroup = cgroupSupport();
  return {
    bubblewrap: { ok: Boolean(found.mode), path: found.path, version: found.version, detail: found.detail },
    mode: found.mode?.kind ?? null,
    user: found.mode?.kind === 'drop-root' ? SANDBOX_USER : found.mode ? (process.env.USER ?? 'this user') : null,
    cgroup: cgroup.version,
    cgroupDetail: cgroup.detail,
    limits: cgroup.version ? 'cgroup' : 'rlimit',
  };
}

/** Makes a tree owned by `uid:gid` (lchown: a symlink itself, never its target). */
async function chownTree(root: string, uid: number, gid: number): Promise<void> {
  await fs.promises.lchown(root, uid, gid);
  const st = await fs.promises.lstat(root);
  if (!st.isDirectory()) return;
  for (const entry of await fs.promises.readdir(root, { withFileTypes: true })) {
    const child = path.join(root, entry.name);
    if (entry.isDirectory()) await chownTree(child, uid, gid);
    else await fs.promises.lchown(child, uid, gid);
  }
}

/**
 * As root, the writable places are lent to the sandbox user for the run and given back after,
 * files the code created included.
 */
async function lendWritable(paths: string[], user: OsUser): Promise<() => Promise<void>> {
  const owners = await Promise.all(paths.map(async (p) => ({ p, st: await fs.promises.stat(p).catch(() => null) })));
  for (const { p, st } of owners) if (st) await chownTree(p, user.uid, user.gid);
  return async () => {
    for (const { p, st } of owners) if (st) await chownTree(p, st.uid, st.gid);
  };
}

function rlimitPrefix(memoryBytes: number, maxProcesses: number, capProcesses: boolean): string[] {
  return ['prlimit', `--as=${memoryBytes}`, ...(capProcesses ? [`--nproc=${maxProcesses}`] : []), '--'];
}

export async function runSandboxed(argv: readonly string[], options: SandboxOptions): Promise<SandboxResult> {
  const {
    workDir,
    readOnly: _readOnly,
    writable = [],
    allowNetwork = false,
    memoryMb,
    maxProcesses = DEFAULT_MAX_PROCESSES,
    cpus,
    allowUnconfined = false,
    ...run
  } = options;
  parseWith(limitsSchema, options, 'sandbox options');
  const memoryBytes = memoryMb * 1024 * 1024;
  const found = await probeBubblewrap();
  if (!found.mode) {
    if (!allowUnconfined) {
      throw new BosunError('SANDBOX_UNAVAILABLE', `refusing to run untrusted code without isolation: ${found.detail}`, {
        hint:
          'install bubblewrap (apt-get install -y bubblewrap) and allow user namespaces, or accept running it ' +
          'unconfined: `bosun config set sandbox.allowUnconfined true` (BOSUN_SANDBOX_ALLOW_UNCONFINED=true)',
        details: { retryable: false },
      });
    }
    const hasPrlimit = Boolean(await which('prlimit'));
    const full = [...(hasPrlimit ? rlimitPrefix(memoryBytes, maxProcesses, !isRoot()) : []), ...argv];
    const result = await runCommand(full[0]!, full.slice(1), { ...run, cwd: workDir });
    return {
      ...result,
      sandbox: {
        isolation: 'none',
        fs: 'host',
        network: allowNetwork ? 'allowed' : 'not-isolated',
        memory: hasPrlimit ? 'rlimit' : 'none',
        pids: hasPrlimit && !isRoot() ? 'rlimit' : 'none',
        cpu: 'none',
        cgroup: null,
        user: String(process.getuid?.() ?? 'unknown'),
        userNamespace: false,
        capabilities: 'host',
        memoryLimitMb: memoryMb,
        maxProcesses,
        oomKilled: false,
        note: `unconfined (sandbox.allowUnconfined): ${found.detail}`,
      },
    };
  }

  const mode = found.mode;
  let cgroup: RunCgroup | null = null;
  let cgroupError: string | null = null;
  try {
    cgroup = createRunCgroup({ memoryBytes, maxProcesses, ...(cpus ? { cpus } : {}) });
  } catch (err) {
    cgroupError = (err as Error).message;
  }
  // Without a cgroup, rlimits per process: RLIMIT_NPROC counts per user, so it only means
  // something for a user other than root.
  const inner = cgroup ? [] : rlimitPrefix(memoryBytes, maxProcesses, true);
  const join = cgroup ? ['sh', '-c', JOIN_CGROUP, 'sh', ...cgroup.procsFiles, '--'] : [];
  const full = [...join, 'bwrap', ...bwrapArgs(mode, options), ...inner, ...argv];
  const giveBack = mode.kind === 'drop-root' ? await lendWritable([workDir, ...writable], mode.user) : null;
  let result: RunResult;
  let oomKilled: boolean;
  try {
    result = await runCommand(full[0]!, full.slice(1), { ...run, cwd: workDir });
  } finally {
    oomKilled = (cgroup?.oomKills() ?? 0) > 0;
    await cgroup?.remove();
    await giveBack?.();
  }
  const limits = cgroup ? 'cgroup' : 'rlimit';
  const note = cgroup
    ? undefined
    : `no usable cgroup (${cgroupError ?? cgroupSupport().detail}): memory is capped per process, not for the whole run`;
  return {
    ...result,
    sandbox: {
      isolation: 'bubblewrap',
      fs: 'jail',
      network: allowNetwork ? 'allowed' : 'isolated',
      memory: limits,
      pids: limits,
      cpu: cgroup?.cpuLimited ? 'cgroup' : 'none',
      cgroup: cgroup?.version ?? null,
      user: mode.kind === 'drop-root' ? SANDBOX_USER : String(process.getuid?.() ?? 'unknown'),
      userNamespace: mode.kind === 'userns',
      capabilities: 'none',
      memoryLimitMb: memoryMb,
      maxProcesses,
      oomKilled,
      ...(note ? { note } : {}),
    },
  };
}
