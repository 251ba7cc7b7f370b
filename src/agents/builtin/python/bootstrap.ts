/**
 * Python run before the user's code, in the same process: it caps the address space (so a
 * runaway allocation fails with MemoryError instead of taking the machine), makes SIGTERM end
 * the script (as the first process of a PID namespace it would otherwise ignore it, and a
 * timeout would wait for SIGKILL), then runs an inline snippet or a file as `__main__`. Passed
 * with `-c`; its arguments are the limit in bytes, the mode ("code" or "file"), the code or
 * file, and the script's own arguments.
 */
export const PYTHON_BOOTSTRAP = `
import os, resource, runpy, signal, sys
signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
mode, target, args = sys.argv[2], sys.argv[3], sys.argv[4:]
if mode == "file":
    sys.argv = [target, *args]
    sys.path[0] = os.path.dirname(os.path.abspath(target))
    runpy.run_path(target, run_name="__main__")
else:
    sys.argv = ["-c", *args]
    code = compile(target, "<snippet>", "exec")
    exec(code, {"__name__": "__main__", "__builtins__": __builtins__})
`;
