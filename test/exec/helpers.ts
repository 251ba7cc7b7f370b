import fs from 'node:fs';

/**
 * Whether a process still runs. Zombies count as gone: killed grandchildren are re-parented to
 * PID 1, which in some containers never reaps them, yet they no longer run.
 */
export function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Polls until `check` holds or `ms` pass; the last result either way. */
export async function eventually(check: () => boolean, ms = 2_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

export function pidsIn(lines: string[]): number[] {
  return lines.filter((l) => /^\d+$/.test(l)).map(Number);
}
