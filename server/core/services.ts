// What routes, gateway and jobs are given: the store, mail, clock, ids, events, config, and the
// agent gateway (built from the rest, so it is the one part that does not receive itself).
import type { Clock } from './clock.js';
import type { ServerConfig } from './config.js';
import type { Events } from './events.js';
import type { Gateway } from './gateway.js';
import type { IdSource } from './ids.js';
import type { Logger } from './log.js';
import type { Mailer } from './mailer.js';
import type { Store } from '../store/store.js';
import type { RateLimiter } from './rate-limit.js';

/** Everything but the gateway: what the gateway itself is built from. */
export interface CoreServices {
  readonly config: ServerConfig;
  readonly store: Store;
  readonly mailer: Mailer;
  readonly log: Logger;
  readonly events: Events;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly signInLimiter: RateLimiter;
  /** the URL people and agents reach the server at */
  readonly publicUrl: () => string;
}

export interface Services extends CoreServices {
  /** the agent gateway: presence, and what routes and jobs ask of connected agents */
  readonly gateway: Gateway;
}
