// The agent ↔ server wire types in one import: `import { parseFrame, type Hello } from 'shared/protocol/index.js'`.
export * from './version.js';
export * from './common.js';
export * from './challenge.js';
export * from './hello.js';
export * from './welcome.js';
export * from './reconcile.js';
export * from './lease.js';
export * from './lease-keys.js';
export * from './method-switch.js';
export * from './login.js';
export * from './inventory.js';
export * from './usage.js';
export * from './ack.js';
export * from './error.js';
export * from './messages.js';
