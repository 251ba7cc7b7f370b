/** What nvcc prints: `-Xptxas -v` resource lines per kernel and architecture, and diagnostics. */

export interface KernelResources {
  /** The mangled name, as in PTX and SASS. */
  name: string;
  arch: string;
  registers: number;
  barriers: number;
  /** Static shared memory per block. */
  sharedBytes: number;
  /** Bytes per constant bank (`cmem[0]` holds the kernel's parameters). */
  constantBytes: Record<string, number>;
  stackBytes: number;
  spillStoreBytes: number;
  spillLoadBytes: number;
}

/** Per architecture, the module's own globals: `__device__` (gmem) and `__constant__` (cmem[3]) data. */
export interface ModuleResources {
  arch: string;
  globalBytes: number;
  constantBytes: number;
}

export interface PtxasInfo {
  kernels: KernelResources[];
  modules: ModuleResources[];
}

export interface Diagnostic {
  file: string | null;
  line: number | null;
  severity: 'error' | 'warning';
  message: string;
}

const ENTRY = /^ptxas info\s*: Compiling entry function '([^']+)' for '([^']+)'/;
const PROPERTIES = /^ptxas info\s*: Function properties for (\S+)/;
const FRAME = /(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads/;
const USED = /^ptxas info\s*: Used (\d+) registers(.*)$/;
const MODULE = /^ptxas info\s*: (\d+) bytes gmem(?:, (\d+) bytes cmem\[\d+\])?/;

/** The kernels' resource use from ptxas's verbose output, in the order ptxas compiled them. */
export function parsePtxasInfo(stderr: string): PtxasInfo {
  const kernels: KernelResources[] = [];
  const modules: ModuleResources[] = [];
  // The module line comes before its architecture's first kernel, which names the architecture.
  let pendingModule: Omit<ModuleResources, 'arch'> | null = null;
  let current: KernelResources | null = null;
  let propertiesOf: string | null = null;
  for (const line of stderr.split('\n')) {
    const module = MODULE.exec(line);
    if (module) {
      pendingModule = { globalBytes: Number(module[1]), constantBytes: Number(module[2] ?? 0) };
      continue;
    }
    const entry = ENTRY.exec(line);
    if (entry) {
      if (pendingModule) modules.push({ arch: entry[2]!, ...pendingModule });
      pendingModule = null;
      current = {
        name: entry[1]!,
        arch: entry[2]!,
        registers: 0,
        barriers: 0,
        sharedBytes: 0,
        constantBytes: {},
        stackBytes: 0,
        spillStoreBytes: 0,
        spillLoadBytes: 0,
      };
      kernels.push(current);
      continue;
    }
    const properties = PROPERTIES.exec(line);
    if (properties) {
      propertiesOf = properties[1]!;
      continue;
    }
    const frame = FRAME.exec(line);
    // Device functions get "Function properties" too; only the current kernel's belong to it.
    if (frame && current && propertiesOf === current.name) {
      current.stackBytes = Number(frame[1]);
      current.spillStoreBytes = Number(frame[2]);
      current.spillLoadBytes = Number(frame[3]);
      continue;
    }
    const used = USED.exec(line);
    if (used && current) {
      current.registers = Number(used[1]);
      const rest = used[2]!;
      current.barriers = Number(/used (\d+) barriers/.exec(rest)?.[1] ?? 0);
      current.sharedBytes = Number(/(\d+) bytes smem/.exec(rest)?.[1] ?? 0);
      for (const m of rest.matchAll(/(\d+) bytes cmem\[(\d+)\]/g)) current.constantBytes[m[2]!] = Number(m[1]);
    }
  }
  return { kernels, modules };
}

/** `kernel.cu(12): error: identifier "x" is undefined`, `ptxas error : …`, `nvcc fatal : …`. */
export function parseNvccDiagnostics(stderr: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const line of stderr.split('\n')) {
    const located = /^(.+?)\((\d+)\): (error|warning)( #\S+)?: (.*)$/.exec(line);
    if (located) {
      diagnostics.push({
        file: located[1]!,
        line: Number(located[2]),
        severity: located[3] as Diagnostic['severity'],
        message: located[5]!.trim(),
      });
      continue;
    }
    const tool = /^(ptxas|nvlink|nvcc) (error|fatal|warning)\s*: (.*)$/.exec(line);
    if (tool) {
      diagnostics.push({
        file: null,
        line: null,
        severity: tool[2] === 'warning' ? 'warning' : 'error',
        message: `${tool[1]}: ${tool[3]!.trim()}`,
      });
    }
  }
  return diagnostics;
}

/**
 * An OpenCL build log: clang's `file:3:5: error: message`, or pocl's `error: file:3:5: message`
 * (the file is a temporary copy, so diagnostics name the user's `file` instead).
 */
export function parseClangDiagnostics(log: string, file: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const line of log.split('\n')) {
    const m =
      /^[^:\s]*:(\d+):\d+: (error|warning): (.*)$/.exec(line) ??
      /^(error|warning): [^:\s]*:(\d+):\d+: (.*)$/.exec(line);
    if (!m) continue;
    const [lineNo, severity] = /^\d+$/.test(m[1]!) ? [m[1]!, m[2]!] : [m[2]!, m[1]!];
    diagnostics.push({ file, line: Number(lineNo), severity: severity as Diagnostic['severity'], message: m[3]! });
  }
  return diagnostics;
}
