// Parts that run beside the HTTP routes (agent gateway, admin live socket, jobs) plug in here.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Services } from './services.js';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface PluginContext {
  /** Routes WebSocket upgrades for `path` (exact match, query ignored) to the handler. */
  onUpgrade(path: string, handler: UpgradeHandler): void;
}

export interface Plugin {
  name: string;
  start(s: Services, ctx: PluginContext): Promise<{ close(): Promise<void> }> | { close(): Promise<void> };
}
