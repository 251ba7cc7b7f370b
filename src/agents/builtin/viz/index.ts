import { BosunError } from '../../../core/index.js';
import { artifactFromFile, completedEnvelope } from '../../envelope.js';
import type { AgentExecutor } from '../../runtime/types.js';
import { renderChart, type ChartInput } from './chart.js';
import { buildDashboard, type DashboardInput } from './dashboard.js';

export { renderChart, type ChartInput, type ChartResult } from './chart.js';

/**
 * The visualisation agent: viz.chart draws a chart from a lake table, a file or a query with
 * Vega-Lite (SVG, PNG, offline HTML); viz.dashboard builds a static Observable Framework site.
 * Inputs are those of agents/viz.yaml, validated before run().
 */
export const vizAgent: AgentExecutor = {
  async run(ctx) {
    if (ctx.skillId === 'viz.chart') {
      const input = ctx.input as unknown as ChartInput;
      ctx.progress({ message: `drawing ${input.name}` });
      const result = await renderChart(ctx.lake, ctx.workDir, input);
      return completedEnvelope({
        summary: `drew ${input.name} from ${result.rows} row${result.rows === 1 ? '' : 's'} (${result.files.map((f) => f.format).join(', ')})`,
        outputs: {
          files: Object.fromEntries(result.files.map((f) => [f.format, f.path])),
          rows: result.rows,
          columns: result.columns,
        },
        artifacts: await Promise.all(result.files.map((f) => artifactFromFile(f.path, f.mediaType))),
        metrics: {
          rows: result.rows,
          queryMs: Math.round(result.timings.queryMs),
          svgMs: Math.round(result.timings.svgMs),
          pngMs: Math.round(result.timings.pngMs),
        },
      });
    }
    if (ctx.skillId === 'viz.dashboard') return buildDashboard(ctx, ctx.input as unknown as DashboardInput);
    throw new BosunError('INVALID_INPUT', `the viz agent has no skill '${ctx.skillId}'`, {
      details: { retryable: false },
    });
  },
};
