// The admin live socket as a server plugin on `/api/v1/live`.
import { LIVE_PATH } from '../../shared/api/live.js';
import type { Plugin } from '../core/plugin.js';
import { LiveHub, type LiveOptions } from './live-hub.js';

export function livePlugin(opts: LiveOptions = {}): Plugin {
  return {
    name: 'live',
    start(s, ctx) {
      const hub = new LiveHub(s, opts);
      ctx.onUpgrade(LIVE_PATH, hub.handleUpgrade);
      return { close: () => hub.close() };
    },
  };
}
