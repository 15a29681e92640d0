// The plugins the server starts, in order.
import { livePlugin } from './live/index.js';
import type { Plugin } from './plugin.js';

export const plugins: Plugin[] = [livePlugin()];
