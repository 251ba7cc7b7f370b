import { BosunError } from '../../../core/index.js';
import type { ResultEnvelope } from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';
import type { DocumentsInput } from './input.js';

export async function structureSkill(_ctx: AgentContext, _input: DocumentsInput): Promise<ResultEnvelope> {
  throw new BosunError('UNSUPPORTED', 'doc.structure is not built yet');
}
