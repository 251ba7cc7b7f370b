/**
 * Process groups of the children we started. Every child runs detached, as the leader of its own
 * group, so one signal to `-pid` reaches its whole tree — and, for the same reason, a Ctrl-C or a
 * `kill` of Node no longer reaches it. This module puts that back: when Node exits, or is told to
 * by SIGINT/SIGTERM/SIGHUP, the groups still tracked here are killed. Daemons that leave the group
 * on purpose (`pg_ctl start` runs postgres under `setsid`) are out of reach, as intended.
 */

/** Group id (the leader's pid) → SIGTERM→SIGKILL grace of the run that owns it. */
const groups = new Map<number, number>();
let hooksInstalled = false;

const EXIT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Signals every process in the group; false when none is left (or none may be signalled). */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export function trackGroup(pgid: number, graceMs: number): void {
  installExitHooks();
  groups.set(pgid, graceMs);
}

export function untrackGroup(pgid: number): void {
  groups.delete(pgid);
}

/**
 * SIGTERM to the whole group now, SIGKILL to whatever is left after the grace. The group stays
 * tracked until then, so an exit of Node in between still kills it.
 */
export function terminateGroup(pgid: number, graceMs: number): void {
  groups.set(pgid, graceMs);
  if (!signalGroup(pgid, 'SIGTERM')) {
    groups.delete(pgid);
    return;
  }
  // Unref'd: a pending SIGKILL must not keep Node alive; the exit hook covers that case.
  setTimeout(() => {
    signalGroup(pgid, 'SIGKILL');
    groups.delete(pgid);
  }, graceMs).unref();
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAll);
  for (const signal of EXIT_SIGNALS) {
    let shuttingDown = false;
    const dieOf = (): void => {
      killAll();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    const onSignal = (): void => {
      if (process.listenerCount(signal) > 1) {
        // Another listener owns the shutdown; leftovers get SIGKILL from the exit hook.
        for (const pgid of groups.keys()) signalGroup(pgid, 'SIGTERM');
        return;
      }
      // Our listener replaced Node's default action (exit): give the children their grace, then
      // die of the same signal as Node would have without us. A second signal cuts the grace short.
      if (shuttingDown) return dieOf();
      shuttingDown = true;
      for (const pgid of groups.keys()) signalGroup(pgid, 'SIGTERM');
      const deadline = Date.now() + Math.max(0, ...groups.values());
      const poll = setInterval(() => {
        const alive = [...groups.keys()].some((pgid) => signalGroup(pgid, 0));
        if (alive && Date.now() < deadline) return;
        clearInterval(poll);
        dieOf();
      }, 25);
    };
    process.on(signal, onSignal);
  }
}

/** Only synchronous work is possible in an exit hook, so there is no grace: SIGKILL. */
function killAll(): void {
  for (const pgid of groups.keys()) signalGroup(pgid, 'SIGKILL');
}
