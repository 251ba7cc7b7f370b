#!/usr/bin/env node
// Runs the compiled CLI (built by `npm ci` through the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'error[NOT_BUILT]: Bosun is not built yet\n  hint: run `npm run build` (npm ci does it for you)\n',
  );
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv);
// Pools and timers are closed by each command; exit explicitly so a stray handle never hangs the CLI.
process.exit(code);
