import { skillDispatcher } from '../dispatch.js';
import { evaluate, type EvaluateInput } from './evaluate.js';
import { runNotebook, type NotebookInput } from './notebook.js';
import { predict, type PredictInput } from './predict.js';
import { train, type TrainInput } from './train.js';

/**
 * The machine-learning agent: ml.train, ml.evaluate and ml.predict run Bosun's fixed script
 * python/bosun_ml.py (scikit-learn, pandas, joblib from Debian) in the scope's virtual
 * environment through the sandbox; the data is read with DuckDB and handed over as CSV.
 * notebook.run executes a Jupyter notebook with python/bosun_notebook.py (nbclient, nbconvert).
 * Inputs are those of agents/ml.yaml, validated before run().
 */
export const mlAgent = skillDispatcher('ml', {
  'ml.train': (ctx) => train(ctx, ctx.input as unknown as TrainInput),
  'ml.evaluate': (ctx) => evaluate(ctx, ctx.input as unknown as EvaluateInput),
  'ml.predict': (ctx) => predict(ctx, ctx.input as unknown as PredictInput),
  'notebook.run': (ctx) => runNotebook(ctx, ctx.input as unknown as NotebookInput),
});
