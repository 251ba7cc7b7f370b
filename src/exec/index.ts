/**
 * exec/: the only place in Bosun that spawns processes. Argv arrays (never a shell), a process
 * group per child so timeouts and cancellation kill the whole tree, capped output, an environment
 * allowlist, and parsers for what tools print.
 */
export {
  runCommand,
  runChecked,
  formatCommand,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_MAX_OUTPUT_BYTES,
  type RunOptions,
  type RunResult,
} from './run.js';
export { DEFAULT_ENV_ALLOWLIST } from './env.js';
export { which, probeTool, type ToolProbe, type ProbeOptions } from './which.js';
export { KNOWN_TOOLS, knownTool, type KnownTool } from './tools.js';
export {
  parseJsonOutput,
  parseCsv,
  parseTsv,
  type JsonOutputOptions,
  type CsvOptions,
  type TsvOptions,
} from './parse.js';
export {
  runScrapySpider,
  scrapyPython,
  scrapyCounts,
  type ScrapyLimits,
  type ScrapyRunOptions,
  type ScrapyRunResult,
  type ScrapyCounts,
} from './scrapy.js';
export {
  runSandboxed,
  sandboxSupport,
  SANDBOX_USER,
  DEFAULT_MAX_PROCESSES,
  SANDBOX_LIMITS,
  type SandboxOptions,
  type SandboxReport,
  type SandboxResult,
  type SandboxSupport,
} from './sandbox.js';
export { ensureSystemUser, lookupOsUser, type OsUser } from './os-user.js';
