import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Whole-run limits for sandboxed code through a cgroup sub-tree of Bosun's own cgroup: memory
 * (all processes together, OOM-killed past it), the number of processes and a CPU quota. cgroup
 * v2 where its memory and pids controllers can be delegated to us; else the v1 memory and pids
 * hierarchies where they are writable (hybrid hosts and many VMs); else nothing, and the sandbox
 * falls back to rlimits and says so.
 */
export interface CgroupLimits {
  memoryBytes: number;
  maxProcesses: number;
  /** CPU cores' worth of time per period (1.5 = one and a half cores); none when absent. */
  cpus?: number;
}

export interface RunCgroup {
  version: 'v2' | 'v1';
  /** `cgroup.procs` files a process writes its pid into to join (one per hierarchy). */
  procsFiles: string[];
  cpuLimited: boolean;
  /** How many processes the kernel OOM-killed in it so far. */
  oomKills(): number;
  /** Kills whatever is left in it and removes it. */
  remove(): Promise<void>;
}

export interface CgroupSupport {
  version: 'v2' | 'v1' | null;
  /** Why there is none (or what was found). */
  detail: string;
}

const SUBTREE = 'bosun-sandbox';
const CPU_PERIOD_US = 100_000;

interface Mount {
  point: string;
  fstype: string;
  superOptions: string[];
}

function mounts(): Mount[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [, after = ''] = line.split(' - ');
      const fields = line.split(' ');
      const [fstype = '', , superOpts = ''] = after.split(' ');
      return { point: fields[4] ?? '', fstype, superOptions: superOpts.split(',') };
    });
}

/** `/proc/self/cgroup`: hierarchy id → controllers → path. */
function ownCgroups(): { controllers: string[]; path: string }[] {
  return fs
    .readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [, controllers = '', ...rest] = line.split(':');
      return { controllers: controllers ? controllers.split(',') : [], path: rest.join(':') };
    });
}

const write = (file: string, value: string) => fs.writeFileSync(file, value);
const readOr = (file: string, fallback: string) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
};
const counter = (text: string, key: string) => Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);

/** The folder of Bosun's sub-tree in each hierarchy, or why there is none. */
type V2Layout = { version: 'v2'; dir: string; cpu: boolean };
type V1Layout = { version: 'v1'; dirs: Record<string, string> };
type Layout = V2Layout | V1Layout;

function v2Layout(): V2Layout | string {
  const mount = mounts().find((m) => m.fstype === 'cgroup2');
  const own = ownCgroups().find((c) => c.controllers.length === 0);
  if (!mount || !own) return 'no cgroup v2 hierarchy';
  const parent = path.join(mount.point, own.path);
  const available = readOr(path.join(parent, 'cgroup.controllers'), '').trim().split(/\s+/);
  if (!available.includes('memory') || !available.includes('pids'))
    return `cgroup v2 at ${mount.point} offers [${available.join(' ')}], not memory and pids`;
  const cpu = available.includes('cpu');
  const enable = `+memory +pids${cpu ? ' +cpu' : ''}`;
  try {
    // Fails with EBUSY when Bosun's own cgroup holds processes and is not the root: the kernel's
    // "no internal processes" rule. A delegated scope (systemd-run --scope -p Delegate=yes) works.
    write(path.join(parent, 'cgroup.subtree_control'), enable);
    const dir = path.join(parent, SUBTREE);
    fs.mkdirSync(dir, { recursive: true });
    write(path.join(dir, 'cgroup.subtree_control'), enable);
    return { version: 'v2', dir, cpu };
  } catch (err) {
    return `cgroup v2 at ${parent} cannot be delegated: ${(err as Error).message}`;
  }
}

function v1Layout(): V1Layout | string {
  const own = ownCgroups();
  const dirs: Record<string, string> = {};
  for (const controller of ['memory', 'pids', 'cpu']) {
    const mount = mounts().find((m) => m.fstype === 'cgroup' && m.superOptions.includes(controller));
    const mine = own.find((c) => c.controllers.includes(controller));
    if (!mount || !mine) {
      if (controller === 'cpu') continue;
      return `no cgroup v1 ${controller} hierarchy`;
    }
    const dir = path.join(mount.point, mine.path, SUBTREE);
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.accessSync(path.join(dir, 'cgroup.procs'), fs.constants.W_OK);
      dirs[controller] = dir;
    } catch (err) {
      if (controller === 'cpu') continue;
      return `cgroup v1 ${controller} at ${dir} is not writable: ${(err as Error).message}`;
    }
  }
  return { version: 'v1', dirs };
}

let layout: { layout: Layout | null; detail: string } | undefined;

function probe(): { layout: Layout | null; detail: string } {
  if (layout) return layout;
  const v2 = v2Layout();
  if (typeof v2 !== 'string') return (layout = { layout: v2, detail: `cgroup v2 sub-tree ${v2.dir}` });
  const v1 = v1Layout();
  if (typeof v1 !== 'string')
    return (layout = { layout: v1, detail: `cgroup v1 (${v2}); sub-trees ${Object.values(v1.dirs).join(', ')}` });
  return (layout = { layout: null, detail: `${v2}; ${v1}` });
}

export function cgroupSupport(): CgroupSupport {
  const found = probe();
  return { version: found.layout?.version ?? null, detail: found.detail };
}

function killAll(procsFile: string): void {
  for (const pid of readOr(procsFile, '').split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

async function removeDir(dir: string, procsFile: string): Promise<void> {
  // A cgroup can only be removed once empty; killed processes take a moment to be reaped.
  for (let attempt = 0; attempt < 50; attempt++) {
    killAll(procsFile);
    try {
      fs.rmdirSync(dir);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** A fresh cgroup for one run with its limits set, or null when this machine gives none. */
export function createRunCgroup(limits: CgroupLimits): RunCgroup | null {
  const found = probe().layout;
  if (!found) return null;
  const name = `run-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  if (found.version === 'v2') {
    const dir = path.join(found.dir, name);
    fs.mkdirSync(dir);
    write(path.join(dir, 'memory.max'), String(limits.memoryBytes));
    write(path.join(dir, 'memory.swap.max'), '0');
    write(path.join(dir, 'pids.max'), String(limits.maxProcesses));
    const cpuLimited = Boolean(limits.cpus && found.cpu);
    if (cpuLimited) write(path.join(dir, 'cpu.max'), `${Math.round(limits.cpus! * CPU_PERIOD_US)} ${CPU_PERIOD_US}`);
    const procs = path.join(dir, 'cgroup.procs');
    return {
      version: 'v2',
      procsFiles: [procs],
      cpuLimited,
      oomKills: () => counter(readOr(path.join(dir, 'memory.events'), ''), 'oom_kill'),
      async remove() {
        try {
          write(path.join(dir, 'cgroup.kill'), '1');
        } catch {
          // cgroup.kill is Linux >= 5.14; removeDir kills one by one.
        }
        await removeDir(dir, procs);
      },
    };
  }
  const dirs = Object.entries(found.dirs)
    .filter(([controller]) => controller !== 'cpu' || limits.cpus)
    .map(([controller, parent]) => [controller, path.join(parent, name)] as const);
  for (const [, dir] of dirs) fs.mkdirSync(dir);
  const dirOf = Object.fromEntries(dirs);
  const memory = dirOf.memory!;
  write(path.join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
  try {
    // Memory plus swap, where swap accounting is on: swapping out does not escape the limit.
    write(path.join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
  } catch {
    // No swap accounting: the memory limit alone applies.
  }
  write(path.join(dirOf.pids!, 'pids.max'), String(limits.maxProcesses));
  if (dirOf.cpu) {
    write(path.join(dirOf.cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
    write(path.join(dirOf.cpu, 'cpu.cfs_quota_us'), String(Math.round(limits.cpus! * CPU_PERIOD_US)));
  }
  return {
    version: 'v1',
    procsFiles: dirs.map(([, dir]) => path.join(dir, 'cgroup.procs')),
    cpuLimited: Boolean(dirOf.cpu),
    oomKills: () => counter(readOr(path.join(memory, 'memory.oom_control'), ''), 'oom_kill'),
    async remove() {
      for (const [, dir] of dirs) await removeDir(dir, path.join(dir, 'cgroup.procs'));
    },
  };
}
