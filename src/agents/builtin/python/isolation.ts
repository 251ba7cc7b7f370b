import type { ExecModule } from '../../runtime/types.js';

/**
 * What confines a Python run beyond its working directory, resource limits and environment:
 * Linux namespaces through util-linux's `unshare`, when this machine allows them. A new network
 * namespace has no interfaces but a down loopback, so the script cannot connect anywhere; a new
 * PID namespace whose first process is the script kills every process it forked when it exits.
 * Without namespaces (unprivileged containers), the run says so in its outputs.
 */
export interface Isolation {
  /** argv to put before the Python command. */
  prefix: string[];
  network: 'isolated' | 'allowed' | 'not-isolated';
  processes: 'pid-namespace' | 'process-group';
}

const AS_ROOT = ['--net', '--pid', '--fork', '--kill-child'];
/** Unprivileged users can often still create namespaces inside a user namespace of their own. */
const AS_USER = ['--user', '--map-root-user', ...AS_ROOT];

let usable: Promise<string[] | null> | undefined;

/** Which unshare flags work here (probed once per process), or null. */
function namespaceFlags(exec: ExecModule): Promise<string[] | null> {
  usable ??= (async () => {
    if (!(await exec.which('unshare'))) return null;
    for (const flags of [AS_ROOT, AS_USER]) {
      const probe = await exec.runCommand('unshare', [...flags, '--', 'true'], { timeoutMs: 10_000 });
      if (probe.ok) return flags;
    }
    return null;
  })();
  return usable;
}

export async function isolationFor(exec: ExecModule, allowNetwork: boolean): Promise<Isolation> {
  const flags = await namespaceFlags(exec);
  if (!flags) return { prefix: [], network: allowNetwork ? 'allowed' : 'not-isolated', processes: 'process-group' };
  const chosen = allowNetwork ? flags.filter((f) => f !== '--net') : flags;
  return {
    prefix: ['unshare', ...chosen, '--'],
    network: allowNetwork ? 'allowed' : 'isolated',
    processes: 'pid-namespace',
  };
}
