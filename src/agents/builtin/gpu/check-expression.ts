import jsep from 'jsep';
import { BosunError } from '../../../core/index.js';

/**
 * The element-wise expressions of an OpenCL run's `check`: arithmetic over the other buffers at
 * the same index (`a + b`), at another index (`x[i * 64 + 1]`), the index `i`, and a few math
 * functions, plus `sum(buffer, start, count)` for reductions. Parsed with jsep and compiled into
 * closures: nothing of the expression is ever evaluated as JavaScript.
 */
export type Element = (i: number) => number;
export interface CheckScope {
  /** Reads element `index` of a buffer. */
  buffers: Record<string, { length: number; at(index: number): number }>;
}

const unary: Record<string, (x: number) => number> = { '-': (x) => -x, '+': (x) => x, '!': (x) => (x ? 0 : 1) };
const binary: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
  '**': (a, b) => a ** b,
  '<': (a, b) => Number(a < b),
  '<=': (a, b) => Number(a <= b),
  '>': (a, b) => Number(a > b),
  '>=': (a, b) => Number(a >= b),
  '==': (a, b) => Number(a === b),
  '!=': (a, b) => Number(a !== b),
  '&&': (a, b) => Number(Boolean(a) && Boolean(b)),
  '||': (a, b) => Number(Boolean(a) || Boolean(b)),
};
const math: Record<string, (...xs: number[]) => number> = {
  abs: Math.abs,
  sqrt: Math.sqrt,
  exp: Math.exp,
  log: Math.log,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  tanh: Math.tanh,
  pow: Math.pow,
  floor: Math.floor,
  ceil: Math.ceil,
  round: Math.round,
  min: Math.min,
  max: Math.max,
};
const constants: Record<string, number> = { PI: Math.PI, E: Math.E };

jsep.addBinaryOp('**', 11);

function invalid(expression: string, why: string): BosunError {
  return new BosunError('INVALID_INPUT', `check expression '${expression}': ${why}`, {
    hint: 'use buffer names, i, numbers, + - * / % **, comparisons, buffer[index], sum(buffer, start, count) and abs/sqrt/exp/log/min/max/pow/floor/ceil/round/sin/cos/tan/tanh',
    details: { retryable: false },
  });
}

/** Compiles `expression` for `scope`; unknown names and constructs are rejected here, before any run. */
export function compileCheck(expression: string, scope: CheckScope): Element {
  let ast: jsep.Expression;
  try {
    ast = jsep(expression);
  } catch (error) {
    throw invalid(expression, (error as Error).message);
  }
  const bufferOf = (node: jsep.Expression) => {
    if (node.type !== 'Identifier') throw invalid(expression, 'only a buffer name can be indexed or summed');
    const name = (node as jsep.Identifier).name;
    const buffer = scope.buffers[name];
    if (!buffer) throw invalid(expression, `there is no buffer '${name}'`);
    return { name, buffer };
  };
  const read = (name: string, buffer: CheckScope['buffers'][string], index: number) => {
    if (!Number.isInteger(index) || index < 0 || index >= buffer.length)
      throw new BosunError(
        'INVALID_INPUT',
        `check expression '${expression}' reads ${name}[${index}], outside 0..${buffer.length - 1}`,
        {
          details: { retryable: false },
        },
      );
    return buffer.at(index);
  };

  const compile = (node: jsep.Expression): Element => {
    switch (node.type) {
      case 'Literal': {
        const value = (node as jsep.Literal).value;
        if (typeof value !== 'number') throw invalid(expression, 'only numeric literals are allowed');
        return () => value;
      }
      case 'Identifier': {
        const name = (node as jsep.Identifier).name;
        if (name === 'i') return (i) => i;
        if (name in constants) return () => constants[name]!;
        const { buffer } = bufferOf(node);
        return (i) => read(name, buffer, i);
      }
      case 'MemberExpression': {
        const member = node as jsep.MemberExpression;
        if (!member.computed) throw invalid(expression, 'use buffer[index], not buffer.field');
        const { name, buffer } = bufferOf(member.object);
        const index = compile(member.property);
        return (i) => read(name, buffer, index(i));
      }
      case 'UnaryExpression': {
        const u = node as jsep.UnaryExpression;
        const op = unary[u.operator];
        if (!op) throw invalid(expression, `operator ${u.operator} is not supported`);
        const argument = compile(u.argument);
        return (i) => op(argument(i));
      }
      case 'BinaryExpression': {
        const b = node as jsep.BinaryExpression;
        const op = binary[b.operator];
        if (!op) throw invalid(expression, `operator ${b.operator} is not supported`);
        const left = compile(b.left);
        const right = compile(b.right);
        return (i) => op(left(i), right(i));
      }
      case 'ConditionalExpression': {
        const c = node as jsep.ConditionalExpression;
        const [test, yes, no] = [compile(c.test), compile(c.consequent), compile(c.alternate)];
        return (i) => (test(i) ? yes(i) : no(i));
      }
      case 'CallExpression': {
        const call = node as jsep.CallExpression;
        if (call.callee.type !== 'Identifier') throw invalid(expression, 'only named functions can be called');
        const fn = (call.callee as jsep.Identifier).name;
        if (fn === 'sum') {
          if (call.arguments.length !== 3) throw invalid(expression, 'sum takes (buffer, start, count)');
          const { name, buffer } = bufferOf(call.arguments[0]!);
          const [start, count] = [compile(call.arguments[1]!), compile(call.arguments[2]!)];
          return (i) => {
            const from = start(i);
            let total = 0;
            for (let k = 0, n = count(i); k < n; k++) total += read(name, buffer, from + k);
            return total;
          };
        }
        const f = math[fn];
        if (!f) throw invalid(expression, `there is no function '${fn}'`);
        const args = call.arguments.map(compile);
        return (i) => f(...args.map((a) => a(i)));
      }
      default:
        throw invalid(expression, `${node.type} is not supported`);
    }
  };
  return compile(ast);
}
