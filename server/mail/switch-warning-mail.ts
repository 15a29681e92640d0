// The mail to someone a scheduled method switch will take a product from: what changes, when,
// on which workstations, and what to do before then (ask an admin for a seat, sign in).
import type { MailMessage } from '../core/mailer.js';
import type { MethodSwitch, OrgDoc } from '../domain/model.js';
import type { PersonRef, SwitchPlan } from '../domain/switch-plan.js';
import type { SwitchWarningKind } from '../domain/switch-warnings.js';
import { renderMail } from './template.js';

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** A few of the organization's administrators, so the person knows whom to ask. */
function adminEmails(doc: OrgDoc, emailOf: (accountId: string) => string | undefined): string[] {
  return Object.values(doc.members)
    .filter((m) => m.role === 'owner' || m.role === 'admin')
    .sort((a, b) => (a.role === b.role ? a.joinedAt - b.joinedAt : a.role === 'owner' ? -1 : 1))
    .map((m) => emailOf(m.accountId))
    .filter((e): e is string => !!e)
    .slice(0, 3);
}

export function switchWarningMail(
  publicUrl: string,
  doc: OrgDoc,
  sw: MethodSwitch,
  plan: SwitchPlan,
  person: PersonRef,
  kind: SwitchWarningKind,
  emailOf: (accountId: string) => string | undefined,
): MailMessage {
  const product = doc.products[plan.productCode]?.name ?? plan.productCode;
  const when = utc(sw.runAt ?? 0);
  const hosts = plan.losesAccess.devices.filter((d) => d.accountId === person.accountId).map((d) => d.hostname);
  const toSignIn = plan.to === 'named-user';
  const admins = adminEmails(doc, emailOf);
  const ask = admins.length ? `Your administrators: ${admins.join(', ')}.` : '';
  const todo = toSignIn
    ? `What to do before then: ask an administrator of ${doc.org.name} to assign you a seat of ${product}. Once you have one, sign in on your workstation (seatkeeper-agent login, then enter its code under Activate in the portal) with your Seatkeeper account, and ${product} keeps working.`
    : `What to do before then: ask an administrator of ${doc.org.name} whether a seat on the contract's serial number is left for your workstation; from then on ${product} needs it.`;
  return renderMail({
    to: person.email,
    subject: `${kind === 'reminder' ? 'Reminder: ' : ''}${product} stops working for you on ${when} unless you act`,
    greeting: `Hello ${person.name || person.email},`,
    blocks: [
      `${doc.org.name} switches ${product} (contract ${plan.contractNumber}) from ${toSignIn ? 'serial-number' : 'sign-in'} to ${toSignIn ? 'sign-in' : 'serial-number'} activation on ${when}.`,
      ...(hosts.length ? [`After that you will not be able to use ${product} on:`, { list: hosts }] : [`After that you will not be able to use ${product} where you use it now.`]),
      [todo, ask].filter(Boolean).join(' '),
      { label: 'Sign in to Seatkeeper', link: publicUrl },
      { note: kind === 'reminder' ? 'This is the one reminder you get about this switch.' : 'You will get one reminder before the switch runs.' },
    ],
  });
}
