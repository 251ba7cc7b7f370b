import { runCommand, type RunOptions, type RunResult } from './run.js';
import { which } from './which.js';

/**
 * The sandbox for code written by a user or a model: the one way agents run it. The caller
 * names what the code may touch (its working folder, extra read-only paths, the network); the
 * sandbox applies what this machine allows and reports it truthfully in `SandboxReport`.
 *
 * This first version confines with util-linux's `unshare` (network and PID namespaces) and a
 * per-process address-space limit through `prlimit`; the hardening work replaces the inside with
 * bubblewrap and cgroup v2 limits behind the same signature.
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
  allowNetwork?: boolean;
  /** For the whole run (all its processes together where the machine allows it). */
  memoryMb: number;
  /** Processes at once; default 256. */
  maxProcesses?: number;
}

export interface SandboxReport {
  /** `jail`: only the named paths are visible; `host`: the host's files are visible (read per Unix permissions). */
  fs: 'jail' | 'host';
  network: 'isolated' | 'allowed' | 'not-isolated';
  /** How memory is capped: for the whole run (cgroup) or per process (rlimit). */
  memory: 'cgroup' | 'rlimit' | 'none';
  pids: 'cgroup' | 'pid-namespace' | 'none';
  /** The user the code runs as. */
  user: string;
  memoryLimitMb: number;
}

export interface SandboxResult extends RunResult {
  sandbox: SandboxReport;
}

const AS_ROOT = ['--net', '--pid', '--fork', '--kill-child'];
/** Unprivileged users can often still create namespaces inside a user namespace of their own. */
const AS_USER = ['--user', '--map-root-user', ...AS_ROOT];

let usable: Promise<string[] | null> | undefined;

/** Which unshare flags work here (probed once per process), or null. */
function namespaceFlags(): Promise<string[] | null> {
  usable ??= (async () => {
    if (!(await which('unshare'))) return null;
    for (const flags of [AS_ROOT, AS_USER]) {
      const probe = await runCommand('unshare', [...flags, '--', 'true'], { timeoutMs: 10_000 });
      if (probe.ok) return flags;
    }
    return null;
  })();
  return usable;
}

export async function runSandboxed(argv: readonly string[], options: SandboxOptions): Promise<SandboxResult> {
  const flags = await namespaceFlags();
  const chosen = flags ? (options.allowNetwork ? flags.filter((f) => f !== '--net') : flags) : null;
  const hasPrlimit = Boolean(await which('prlimit'));
  const limit = hasPrlimit ? ['prlimit', `--as=${options.memoryMb * 1024 * 1024}`, '--'] : [];
  const full = [...(chosen ? ['unshare', ...chosen, '--'] : []), ...limit, ...argv];
  const {
    workDir,
    readOnly: _readOnly,
    writable: _writable,
    allowNetwork,
    memoryMb,
    maxProcesses: _maxProcesses,
    ...run
  } = options;
  const result = await runCommand(full[0]!, full.slice(1), { ...run, cwd: workDir });
  return {
    ...result,
    sandbox: {
      fs: 'host',
      network: allowNetwork ? 'allowed' : chosen ? 'isolated' : 'not-isolated',
      memory: hasPrlimit ? 'rlimit' : 'none',
      pids: chosen ? 'pid-namespace' : 'none',
      user: String(process.getuid?.() ?? 'unknown'),
      memoryLimitMb: memoryMb,
    },
  };
}
