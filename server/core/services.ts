// What routes, gateway and jobs are given: the store, mail, clock, ids, events and config.
import type { ServerConfig } from './config.js';
import type { Events } from './events.js';
import type { IdSource } from './ids.js';
import type { Logger } from './log.js';
import type { Mailer } from './mailer.js';
import type { Store } from '../store/store.js';
import type { RateLimiter } from './rate-limit.js';
import type { Presence } from './presence.js';

export interface Services {
  config: ServerConfig;
  store: Store;
  mailer: Mailer;
  log: Logger;
  events: Events;
  /** epoch milliseconds */
  clock: () => number;
  ids: IdSource;
  signInLimiter: RateLimiter;
  /** the URL people and agents reach the server at */
  publicUrl: () => string;
  /** replaced by the agent gateway when it starts */
  presence: Presence;
}
