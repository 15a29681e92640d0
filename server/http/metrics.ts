// Prometheus metrics (prom-client), one registry per server: agents connected, pushes sent and
// acked and the ack latency, store commit latency, sign-in attempts and refusals, event-loop lag
// and the process's defaults. A plugin instruments the services at start; /metrics
// (metrics-route.ts) renders the registry.
import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Plugin } from '../core/plugin.js';
import type { PushEvent } from '../core/events.js';
import type { Services } from '../core/services.js';

const registries = new WeakMap<Services, Registry>();

/** The registry of this server's metrics; undefined before the plugin started or after it closed. */
export function metricsOf(s: Services): Registry | undefined {
  return registries.get(s);
}

export const metricsPlugin: Plugin = {
  name: 'metrics',
  start(s) {
    const register = new Registry();
    collectDefaultMetrics({ register, eventLoopMonitoringPrecision: 20 });

    new Gauge({
      name: 'seatkeeper_agents_connected',
      help: 'Agents with an authenticated socket now, over all organizations.',
      registers: [register],
      collect() {
        let n = 0;
        for (const orgId of s.store.orgIds()) n += s.gateway.presence.onlineDevices(orgId).size;
        this.set(n);
      },
    });

    // Store commits: the time from a transaction's start to its change being on disk (what a
    // request waits for). The store is decorated, not changed: every caller is measured alike.
    const commit = new Histogram({
      name: 'seatkeeper_store_commit_seconds',
      help: 'Time from a store transaction to its change being durable, successful or not.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      labelNames: ['outcome'],
      registers: [register],
    });
    const store = s.store;
    const tx = store.tx;
    store.tx = async function measured(this: unknown, ...args: Parameters<typeof tx>) {
      const t0 = performance.now();
      let outcome = 'ok';
      try {
        return await tx.apply(store, args);
      } catch (e) {
        outcome = 'error';
        throw e;
      } finally {
        commit.observe({ outcome }, (performance.now() - t0) / 1000);
      }
    } as typeof tx;

    // Sign-ins: every attempt hits the limiter, a success resets it; refused = attempts − successes.
    const attempts = new Counter({ name: 'seatkeeper_sign_in_attempts_total', help: 'Password sign-in attempts (portal and API).', registers: [register] });
    const succeeded = { n: 0 };
    let reported = 0;
    new Counter({
      name: 'seatkeeper_sign_ins_refused_total',
      help: 'Password sign-ins refused (wrong email or password, rate-limited).',
      registers: [register],
      async collect() {
        const tried = (await attempts.get()).values[0]?.value ?? 0;
        const now = tried - succeeded.n;
        // An attempt still checking its password counts as refused for a moment: never go back.
        if (now > reported) {
          this.inc(now - reported);
          reported = now;
        }
      },
    });
    const limiter = s.signInLimiter;
    const hit = limiter.hit;
    const reset = limiter.reset;
    limiter.hit = (key) => {
      attempts.inc();
      return hit.call(limiter, key);
    };
    limiter.reset = (key) => {
      succeeded.n++;
      reset.call(limiter, key);
    };

    // Pushes to agents: each counted once when sent (however often it is resent until acked), and
    // the time from sending to the agent's ack, per kind (lease.grant, lease.revoke, method.switch…).
    const pushesSent = new Counter({ name: 'seatkeeper_pushes_sent_total', help: 'Pushes sent to agents, each once however often resent.', labelNames: ['kind'], registers: [register] });
    const pushesAcked = new Counter({ name: 'seatkeeper_pushes_acked_total', help: 'Pushes agents acknowledged.', labelNames: ['kind'], registers: [register] });
    const ackLatency = new Histogram({
      name: 'seatkeeper_push_ack_seconds',
      help: 'Time from a push being sent to its acknowledgement by the agent, resends included.',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [register],
    });
    const onPush = (e: PushEvent) => {
      if (e.phase === 'sent') pushesSent.inc({ kind: e.kind });
      else {
        pushesAcked.inc({ kind: e.kind });
        ackLatency.observe({ kind: e.kind }, e.seconds);
      }
    };
    s.events.on('push', onPush);

    registries.set(s, register);
    return {
      async close() {
        registries.delete(s);
        s.events.off('push', onPush);
        store.tx = tx;
        limiter.hit = hit;
        limiter.reset = reset;
        register.clear();
      },
    };
  },
};
