// Loaded with `node --import`: records every module URL the process resolves, one per line, in
// $BOSUN_RECORD_IMPORTS, so a test can check what a command loads before it works.
import { register } from 'node:module';

register('./record-imports-hooks.mjs', import.meta.url, { data: { file: process.env.BOSUN_RECORD_IMPORTS } });
