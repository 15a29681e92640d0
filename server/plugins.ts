// The plugins the server starts, in order.
import type { Plugin } from './plugin.js';

export const plugins: Plugin[] = [];
