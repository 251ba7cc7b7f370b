import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Which test runner a repository uses, from the files present, and the argv that runs it with a
 * machine-readable report where the runner can write one (JUnit XML for vitest and pytest, JSON
 * events for go test); the others are read from their summary lines.
 */
export type RunnerName = 'vitest' | 'jest' | 'npm' | 'pytest' | 'go' | 'cargo';

export interface Runner {
  name: RunnerName;
  argv: string[];
  /** Where the runner writes JUnit XML, when it does. */
  junitFile: string | null;
  /** Why this runner: the file that decided it. */
  because: string;
}

const exists = (file: string) =>
  fs.stat(file).then(
    () => true,
    () => false,
  );

async function packageJson(repo: string): Promise<{ scripts?: Record<string, string>; deps: string[] } | null> {
  const text = await fs.readFile(path.join(repo, 'package.json'), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const pkg = JSON.parse(text) as {
      scripts?: Record<string, string>;
      dependencies?: object;
      devDependencies?: object;
    };
    return {
      scripts: pkg.scripts,
      deps: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})],
    };
  } catch {
    return null;
  }
}

async function anyTestFile(dir: string, depth = 2): Promise<boolean> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (e.isFile() && /^(test_.*|.*_test)\.py$/.test(e.name)) return true;
    if (e.isDirectory() && depth > 0 && !e.name.startsWith('.') && e.name !== 'node_modules')
      if (await anyTestFile(path.join(dir, e.name), depth - 1)) return true;
  }
  return false;
}

async function usesPytest(repo: string): Promise<string | null> {
  for (const file of ['pytest.ini', 'conftest.py', 'tox.ini']) if (await exists(path.join(repo, file))) return file;
  const pyproject = await fs.readFile(path.join(repo, 'pyproject.toml'), 'utf8').catch(() => '');
  if (pyproject.includes('[tool.pytest')) return 'pyproject.toml [tool.pytest]';
  const setupCfg = await fs.readFile(path.join(repo, 'setup.cfg'), 'utf8').catch(() => '');
  if (setupCfg.includes('[tool:pytest]')) return 'setup.cfg [tool:pytest]';
  return (await anyTestFile(repo)) ? 'test_*.py files' : null;
}

export async function detectRunner(repo: string, reportDir: string): Promise<Runner | null> {
  const bin = (name: string) => path.join(repo, 'node_modules', '.bin', name);
  const pkg = await packageJson(repo);
  if (pkg) {
    const script = pkg.scripts?.test ?? '';
    const junitFile = path.join(reportDir, 'junit.xml');
    if (/\bvitest\b/.test(script) || (!script && pkg.deps.includes('vitest'))) {
      return {
        name: 'vitest',
        argv: [bin('vitest'), 'run', '--reporter=default', '--reporter=junit', `--outputFile.junit=${junitFile}`],
        junitFile,
        because: 'package.json uses vitest',
      };
    }
    if (/\bjest\b/.test(script) || (!script && pkg.deps.includes('jest')))
      return { name: 'jest', argv: [bin('jest'), '--ci'], junitFile: null, because: 'package.json uses jest' };
    if (script && !/no test specified/.test(script))
      return { name: 'npm', argv: ['npm', 'test'], junitFile: null, because: `package.json's test script (${script})` };
  }
  const pytest = await usesPytest(repo);
  if (pytest) {
    const junitFile = path.join(reportDir, 'junit.xml');
    return {
      name: 'pytest',
      argv: ['python3', '-m', 'pytest', '-q', '-p', 'no:cacheprovider', `--junitxml=${junitFile}`],
      junitFile,
      because: pytest,
    };
  }
  if (await exists(path.join(repo, 'go.mod')))
    return { name: 'go', argv: ['go', 'test', '-json', './...'], junitFile: null, because: 'go.mod' };
  if (await exists(path.join(repo, 'Cargo.toml')))
    return { name: 'cargo', argv: ['cargo', 'test'], junitFile: null, because: 'Cargo.toml' };
  return null;
}

/** The runner an explicit command belongs to, so its output is read the right way. */
export function runnerOfCommand(argv: readonly string[]): RunnerName {
  const words = argv.map((a) => path.basename(a));
  if (words.includes('vitest')) return 'vitest';
  if (words.includes('jest')) return 'jest';
  if (words.includes('pytest') || words.includes('py.test')) return 'pytest';
  if (words[0] === 'go') return 'go';
  if (words[0] === 'cargo') return 'cargo';
  return 'npm';
}
