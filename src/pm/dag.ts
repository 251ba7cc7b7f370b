import { BosunError } from '../core/index.js';

/** A node and the nodes it depends on, by key. */
export interface DagNode {
  key: string;
  dependsOn: readonly string[];
}

/**
 * Orders nodes so that every node comes after what it depends on (Kahn's algorithm, stable in
 * input order). A cycle is an INVALID_INPUT error that spells the cycle out; a dependency on a
 * key outside `nodes` is the caller's to resolve before calling.
 */
export function topologicalOrder<T extends DagNode>(nodes: readonly T[], what: string): T[] {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const indegree = new Map(nodes.map((n) => [n.key, n.dependsOn.filter((d) => byKey.has(d)).length]));
  const dependents = new Map<string, string[]>();
  for (const n of nodes)
    for (const d of n.dependsOn) if (byKey.has(d)) dependents.set(d, [...(dependents.get(d) ?? []), n.key]);
  const order: T[] = [];
  const queue = nodes.filter((n) => indegree.get(n.key) === 0).map((n) => n.key);
  while (queue.length) {
    const key = queue.shift()!;
    order.push(byKey.get(key)!);
    for (const next of dependents.get(key) ?? []) {
      const left = indegree.get(next)! - 1;
      indegree.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  if (order.length < nodes.length) {
    const cycle = findCycle(
      nodes.filter((n) => indegree.get(n.key)! > 0),
      byKey,
    );
    throw new BosunError('INVALID_INPUT', `${what} has a dependency cycle: ${cycle.join(' → ')}`, {
      hint: 'a step cannot depend, directly or through others, on itself; remove one of these dependencies',
      details: { cycle },
    });
  }
  return order;
}

/** Walks dependencies from a node left in the cycle until a key repeats. */
function findCycle(remaining: readonly DagNode[], byKey: Map<string, DagNode>): string[] {
  const path: string[] = [];
  let key = remaining[0]!.key;
  while (!path.includes(key)) {
    path.push(key);
    key = byKey.get(key)!.dependsOn.find((d) => remaining.some((n) => n.key === d))!;
  }
  return [...path.slice(path.indexOf(key)), key];
}

/** Every key `key` depends on, directly or through others. */
export function ancestorsOf(key: string, nodes: readonly DagNode[]): Set<string> {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const seen = new Set<string>();
  const stack = [...(byKey.get(key)?.dependsOn ?? [])];
  while (stack.length) {
    const k = stack.pop()!;
    if (seen.has(k)) continue;
    seen.add(k);
    stack.push(...(byKey.get(k)?.dependsOn ?? []));
  }
  return seen;
}
