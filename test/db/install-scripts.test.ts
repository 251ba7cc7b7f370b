import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateBinaries } from '../../src/db/index.js';
import { runCommand } from '../../src/exec/index.js';

/**
 * npm 11 skips the install scripts of dependencies that package.json's `allowScripts` does not
 * approve. The embedded server's package restores its library symlinks in one (hydrate-symlinks):
 * without it `postgres` cannot load libpq and friends, so this checks the result of `npm ci`, not
 * only the setting.
 */
describe('install scripts approved in package.json', () => {
  it("links every library the embedded server's package lists in pg-symlinks.json", async () => {
    const packageDir = path.dirname((await locateBinaries()).nativeDir);
    const listed = JSON.parse(fs.readFileSync(path.join(packageDir, 'native', 'pg-symlinks.json'), 'utf8')) as {
      source: string;
      target: string;
    }[];
    expect(listed.length).toBeGreaterThan(0);
    const missing = listed
      .map(({ target }) => path.join(packageDir, target))
      .filter((link) => !fs.lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink() || !fs.existsSync(link));
    expect(missing).toEqual([]);
  });

  it('leaves no dependency whose install script is neither approved nor denied', async () => {
    const result = await runCommand('npm', ['install-scripts', 'ls', '--json'], {
      timeoutMs: 60_000,
      inheritEnv: true,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { allowScripts: unknown[] };
    expect(report.allowScripts).toEqual([]);
  });
});
