import {
  coordGreedy,
  coordSimplex,
  decrossTwoLayer,
  graphStratify,
  layeringLongestPath,
  layeringSimplex,
  sugiyama,
  twolayerAgg,
} from 'd3-dag';
import { useMemo } from 'preact/hooks';

export interface GraphNode {
  id: string;
  ref: string;
  title: string;
  status: string;
}

const WIDTH = 168;
const HEIGHT = 40;
/** Past this many tasks the layout trades a little tidiness for speed (linear-time operators). */
const LARGE = 150;

interface Placed {
  nodes: { node: GraphNode; x: number; y: number }[];
  links: { key: string; points: [number, number][] }[];
  width: number;
  height: number;
}

/**
 * Sugiyama layout by d3-dag, computed top-down and drawn left to right (x and y swapped), so
 * dependencies read as arrows from earlier to later work.
 */
function place(nodes: GraphNode[], edges: { from: string; to: string }[]): Placed {
  if (!nodes.length) return { nodes: [], links: [], width: 0, height: 0 };
  const parents = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const e of edges) parents.get(e.to)?.push(e.from);
  const dag = graphStratify()(nodes.map((n) => ({ ...n, parentIds: parents.get(n.id) ?? [] })));
  const large = nodes.length > LARGE;
  const layout = sugiyama()
    .nodeSize([HEIGHT, WIDTH])
    .gap([12, 40])
    .layering(large ? layeringLongestPath() : layeringSimplex())
    .decross(large ? decrossTwoLayer().order(twolayerAgg()).passes(1) : decrossTwoLayer())
    .coord(large ? coordGreedy() : coordSimplex());
  const { width, height } = layout(dag);
  return {
    nodes: [...dag.nodes()].map((n) => ({ node: n.data, x: n.y, y: n.x })),
    links: [...dag.links()].map((l) => ({
      key: `${l.source.data.id}-${l.target.data.id}`,
      points: l.points.map(([x, y]) => [y, x] as [number, number]),
    })),
    width: height,
    height: width,
  };
}

/** The task DAG as SVG; a node links to its task page and carries its state for styling (and tests). */
export function TaskGraph({ nodes, edges }: { nodes: GraphNode[]; edges: { from: string; to: string }[] }) {
  // The shape changes only when tasks or edges do; a state change just recolours.
  const shape = `${nodes.map((n) => n.id).join()}|${edges.map((e) => e.from + e.to).join()}`;
  const placed = useMemo(() => place(nodes, edges), [shape]);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return (
    <svg class="graph" width={placed.width + 8} height={placed.height + 8} role="img" aria-label="task graph">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto">
          <path d="M0,0 L10,5 L0,10 z" fill="#8a94a6" />
        </marker>
      </defs>
      <g transform="translate(4,4)">
        {placed.links.map((l) => (
          <polyline
            key={l.key}
            class="edge"
            points={l.points.map(([x, y]) => `${x},${y}`).join(' ')}
            marker-end="url(#arrow)"
          />
        ))}
        {placed.nodes.map(({ node, x, y }) => {
          const n = byId.get(node.id) ?? node;
          return (
            <a
              key={n.id}
              href={`#/task/${encodeURIComponent(n.ref)}`}
              class={`node state-${n.status}`}
              data-state={n.status}
            >
              <rect x={x - WIDTH / 2} y={y - HEIGHT / 2} width={WIDTH} height={HEIGHT} rx="6" />
              <text x={x - WIDTH / 2 + 8} y={y - 3}>
                {n.ref}
              </text>
              <text class="sub" x={x - WIDTH / 2 + 8} y={y + 12}>
                {n.title.length > 24 ? `${n.title.slice(0, 23)}…` : n.title}
              </text>
            </a>
          );
        })}
      </g>
    </svg>
  );
}
