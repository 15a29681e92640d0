// The agent's state directory, one module per file it holds.
export * from './atomic-write.js';
export * from './paths.js';
export * from './config.js';
export * from './device-key.js';
export * from './lease-store.js';
export * from './clock-guard.js';
export * from './session.js';
export * from './products-file.js';
export * from './status-file.js';
export * from './inventory-file.js';
export * from './modes.js';
export * from './access-error.js';
