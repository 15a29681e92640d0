// Who is told before a scheduled method switch runs, and when: everyone its plan says would lose
// access, once when it is scheduled and once a set time before it runs. Pure: the jobs mail.
import type { MethodSwitch } from './model.js';
import type { PersonRef } from './switch-plan.js';

export type SwitchWarningKind = 'scheduled' | 'reminder';

export const DEFAULT_SWITCH_REMINDER_MINUTES = 24 * 60;

/** Whether the switch's reminder pass is due at `now`: scheduled, not run yet, inside the window, not done before. */
export function reminderDue(sw: MethodSwitch, now: number, beforeMs: number): boolean {
  return sw.status === 'scheduled' && sw.runAt !== null && sw.remindedAt === undefined && now < sw.runAt && now >= sw.runAt - beforeMs;
}

/**
 * The people to mail now, marked on `sw` (call it inside the transaction that stores them): at
 * most one mail of each kind per person per switch, whoever runs it and however often. A person
 * told at scheduling within the reminder window is not reminded: it would repeat the same news.
 */
export function takeWarnings(sw: MethodSwitch, people: readonly PersonRef[], kind: SwitchWarningKind, now: number, beforeMs: number): PersonRef[] {
  const warned = (sw.warned ??= {});
  const out: PersonRef[] = [];
  for (const p of people) {
    const w = warned[p.accountId] ?? {};
    if (w[kind] !== undefined) continue;
    if (kind === 'reminder' && w.scheduled !== undefined && sw.runAt !== null && w.scheduled >= sw.runAt - beforeMs) continue;
    warned[p.accountId] = { ...w, [kind]: now };
    out.push(p);
  }
  return out;
}
