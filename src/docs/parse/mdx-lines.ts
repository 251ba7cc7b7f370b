/** Line passes that only MDX needs. */

/** MDX ESM (`import`/`export` at the start of a block) runs to the next blank line. */
export function dropEsm(lines: string[]): string[] {
  const out: string[] = [];
  let skipping = false;
  let blockStart = true;
  for (const line of lines) {
    const blank = line.trim() === '';
    if (skipping) {
      if (!blank) continue;
      skipping = false;
    } else if (blockStart && /^(?:import|export)(?=[\s{*])/.test(line)) {
      skipping = true;
      continue;
    }
    out.push(line);
    blockStart = blank;
  }
  return out;
}

/**
 * MDX has no indented code, so text nested in JSX is often indented by four spaces or more;
 * in markdown that would read as code. A run of lines starting that deep is shifted left to
 * three spaces, keeping its inner indentation (nested lists).
 */
export function dedentRuns(lines: string[]): string[] {
  let shift = 0;
  let runStart = true;
  return lines.map((line) => {
    if (line === '') {
      runStart = true;
      return line;
    }
    if (runStart) {
      shift = Math.max(0, line.length - line.trimStart().length - 3);
      runStart = false;
    }
    if (shift === 0) return line;
    const indent = line.length - line.trimStart().length;
    return line.slice(Math.min(shift, indent));
  });
}
