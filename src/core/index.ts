export * from './errors.js';
export * from './zod.js';
export * from './paths.js';
export * from './config.js';
export * from './logger.js';
export * from './ids.js';
export * from './redact.js';
export * from './stats.js';
