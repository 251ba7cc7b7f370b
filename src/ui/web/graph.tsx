import dagre from '@dagrejs/dagre';
import { useMemo } from 'preact/hooks';

export interface GraphNode {
  id: string;
  ref: string;
  title: string;
  status: string;
}

const WIDTH = 168;
const HEIGHT = 40;

/** The task DAG, laid out by dagre (left to right) and drawn as SVG; a node links to its task page. */
export function TaskGraph({ nodes, edges }: { nodes: GraphNode[]; edges: { from: string; to: string }[] }) {
  const layout = useMemo(() => {
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: 'LR', nodesep: 12, ranksep: 40, marginx: 8, marginy: 8 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const n of nodes) g.setNode(n.id, { width: WIDTH, height: HEIGHT });
    for (const e of edges) g.setEdge(e.from, e.to);
    dagre.layout(g);
    return g;
  }, [nodes.map((n) => n.id).join(), edges.length]);
  const size = layout.graph();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return (
    <svg class="graph" width={size.width ?? 0} height={size.height ?? 0} role="img" aria-label="task graph">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto">
          <path d="M0,0 L10,5 L0,10 z" fill="#8a94a6" />
        </marker>
      </defs>
      {layout.edges().map((e) => {
        const points = layout.edge(e).points;
        return (
          <polyline
            key={`${e.v}-${e.w}`}
            class="edge"
            points={points.map((p: { x: number; y: number }) => `${p.x},${p.y}`).join(' ')}
            marker-end="url(#arrow)"
          />
        );
      })}
      {layout.nodes().map((id) => {
        const box = layout.node(id);
        const n = byId.get(id)!;
        return (
          <a
            key={id}
            href={`#/task/${encodeURIComponent(n.ref)}`}
            class={`node state-${n.status}`}
            data-state={n.status}
          >
            <rect x={box.x - WIDTH / 2} y={box.y - HEIGHT / 2} width={WIDTH} height={HEIGHT} rx="6" />
            <text x={box.x - WIDTH / 2 + 8} y={box.y - 3}>
              {n.ref}
            </text>
            <text class="sub" x={box.x - WIDTH / 2 + 8} y={box.y + 12}>
              {n.title.length > 24 ? `${n.title.slice(0, 23)}…` : n.title}
            </text>
          </a>
        );
      })}
    </svg>
  );
}
