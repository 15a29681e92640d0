// Background jobs as a server plugin: scheduled method switches and their reminder mails (checked
// every few seconds, so they survive restarts: they are stored), and the per-minute usage sample
// (node-cron). With several nodes only the store's leader runs them.
import cron from 'node-cron';
import type { Plugin } from '../core/plugin.js';
import { runDueSwitches } from './method-switch.js';
import { remindDueSwitches } from './switch-reminder.js';
import { expireEndedContracts, sampleUsage } from './usage.js';

export const jobsPlugin: Plugin = {
  name: 'jobs',
  start(s) {
    let busy = false;
    const checkSwitches = () => {
      // On several nodes (PostgreSQL) jobs run once for the cluster, on the leader.
      if (busy || !s.store.isLeader()) return;
      busy = true;
      remindDueSwitches(s)
        .catch((e: Error) => s.log.error('switch reminders failed', { error: e.message }))
        .then(() => runDueSwitches(s))
        .catch((e: Error) => s.log.error('switch check failed', { error: e.message }))
        .finally(() => (busy = false));
    };
    const timer = setInterval(checkSwitches, s.config.agents?.switchCheckMs ?? 5000);
    timer.unref();
    checkSwitches();
    const minute = cron.schedule(
      '* * * * *',
      async () => {
        if (!s.store.isLeader()) return;
        expireEndedContracts(s);
        await sampleUsage(s).catch((e: Error) => s.log.warn('usage sample failed', { error: e.message }));
      },
      { name: 'usage-sample', noOverlap: true },
    );
    return {
      async close() {
        clearInterval(timer);
        await minute.destroy();
        while (busy) await new Promise((r) => setTimeout(r, 5));
      },
    };
  },
};
