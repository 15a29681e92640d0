// The plugins the server starts, in order (the gateway first: it sets s.presence, which the others read).
import { gatewayPlugin } from './gateway/plugin.js';
import { jobsPlugin } from './jobs/plugin.js';
import { livePlugin } from './live/index.js';
import type { Plugin } from './plugin.js';

export const plugins: Plugin[] = [gatewayPlugin, livePlugin(), jobsPlugin];
