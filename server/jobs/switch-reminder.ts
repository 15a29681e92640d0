// Warning the people a scheduled method switch will take a product from: when it is scheduled
// (the route hands over the plan it just made) and once config.switchReminderMinutes before it
// runs (the leader's job, with the plan made again: people and devices move meanwhile). Who was
// told is marked in the same transaction that decides it, before the mail goes: the job run twice
// or on two nodes mails nobody twice.
import { SeatkeeperError } from '../../shared/errors.js';
import { runSliced } from '../core/slicer.js';
import type { Services } from '../core/services.js';
import type { MethodSwitch } from '../domain/model.js';
import { planSwitchSteps, type PersonRef, type SwitchPlan } from '../domain/switch-plan.js';
import { DEFAULT_SWITCH_REMINDER_MINUTES, reminderDue, takeWarnings, type SwitchWarningKind } from '../domain/switch-warnings.js';
import { switchWarningMail } from '../mail/switch-warning-mail.js';
import { accountLookup } from './method-switch.js';

export function reminderBeforeMs(s: Services): number {
  return (s.config.switchReminderMinutes ?? DEFAULT_SWITCH_REMINDER_MINUTES) * 60_000;
}

/** Marks and mails the people of `plan` not yet warned of `kind`; returns how many were mailed. */
async function warn(s: Services, orgId: string, switchId: string, plan: SwitchPlan, kind: SwitchWarningKind): Promise<number> {
  const now = s.clock();
  const beforeMs = reminderBeforeMs(s);
  const taken = await s.store.tx((t) => {
    const sw = t.org(orgId)?.switches[switchId];
    if (!sw || sw.status !== 'scheduled') return null;
    if (kind === 'reminder') {
      // Another run (or node) did this pass already.
      if (sw.remindedAt !== undefined) return null;
      sw.remindedAt = now;
    }
    const people = takeWarnings(sw, plan.losesAccess.users, kind, now, beforeMs);
    return { sw: { ...sw }, people };
  });
  if (!taken || taken.people.length === 0) return 0;
  const doc = s.store.org(orgId)!;
  const emailOf = (id: string) => s.store.global().accounts[id]?.email;
  const mailable = taken.people.filter((p): p is PersonRef => !!p.email);
  await Promise.all(mailable.map((p) => s.mailer.send(switchWarningMail(s.publicUrl(), doc, taken.sw, plan, p, kind, emailOf))));
  s.log.info('switch warnings mailed', { orgId, switchId, kind, people: mailable.length });
  return mailable.length;
}

/** Right after a switch is scheduled: everyone its plan says would lose access is told. Never throws. */
export async function warnSwitchScheduled(s: Services, orgId: string, sw: MethodSwitch, plan: SwitchPlan): Promise<number> {
  try {
    return await warn(s, orgId, sw.id, plan, 'scheduled');
  } catch (e) {
    // The switch is scheduled and durable: the admin is answered; the reminder still goes later.
    s.log.error('switch warnings could not be recorded', { orgId, switchId: sw.id, error: (e as Error).message });
    return 0;
  }
}

/** The reminder pass of every scheduled switch whose window has opened; returns how many people were mailed. */
export async function remindDueSwitches(s: Services): Promise<number> {
  const now = s.clock();
  const beforeMs = reminderBeforeMs(s);
  let mailed = 0;
  for (const orgId of s.store.orgIds()) {
    const doc = s.store.org(orgId);
    if (!doc || doc.org.removedAt) continue;
    for (const sw of Object.values(doc.switches).filter((x) => reminderDue(x, now, beforeMs))) {
      try {
        const plan = await runSliced(planSwitchSteps(s.store.org(orgId)!, sw.lineId, sw.to, sw.autoAssign, now, accountLookup(s)));
        mailed += await warn(s, orgId, sw.id, plan, 'reminder');
      } catch (e) {
        // The line is gone or already uses that method: the switch itself will be dropped when due.
        if (e instanceof SeatkeeperError && (e.code === 'CONFLICT' || e.code === 'NOT_FOUND')) continue;
        s.log.error('switch reminder failed; will retry', { orgId, switchId: sw.id, error: (e as Error).message });
      }
    }
  }
  return mailed;
}
