// The audit log: every change, who made it, before and after; filtered by time, actor, action, target.
import { useState } from 'preact/hooks';
import type { AuditPage as AuditReply } from '../../../../shared/api/audit.js';
import type { ContractView } from '../../../../shared/api/contracts.js';
import type { MemberList, MemberView } from '../../../../shared/api/members.js';
import type { TeamList, TeamView } from '../../../../shared/api/teams.js';
import { orgPath, qs } from '../api.js';
import { Empty, ErrorNote, Field, Form, Loading, PageHeader, Select, TableHead, ScrollBox } from '../components.js';
import { dateTime } from '../format.js';
import { useApi } from '../hooks.js';
import { useOrg } from '../session.js';

interface Filters {
  from: string;
  to: string;
  actor: string;
  action: string;
  target: string;
  limit: string;
}

const none: Filters = { from: '', to: '', actor: '', action: '', target: '', limit: '200' };
const knownActions = ['org.claim', 'member.link', 'member.join', 'member.remove', 'role.change', 'invitation.create', 'invitation.accept', 'invitation.cancel', 'assignment.create', 'assignment.delete', 'assignment.reassign', 'team.create', 'contract.create'];

/** `datetime-local` gives local wall time without a zone; Date parses it as local time. */
const toMs = (v: string) => (v ? new Date(v).getTime() : undefined);

export function AuditPage() {
  const org = useOrg();
  const [draft, setDraft] = useState<Filters>(none);
  const [applied, setApplied] = useState<Filters>(none);
  const members = useApi<MemberList>(orgPath(org.orgId, '/members'));
  const path = orgPath(
    org.orgId,
    `/audit${qs({ from: toMs(applied.from), to: toMs(applied.to), actor: applied.actor, action: applied.action.trim(), target: applied.target.trim(), limit: applied.limit })}`,
  );
  const log = useApi<AuditReply>(path);
  const teams = useApi<TeamList>(orgPath(org.orgId, '/teams'));
  const contracts = useApi<{ contracts: ContractView[] }>(orgPath(org.orgId, '/contracts'));
  const who = (id: string) => members.data?.members.find((m) => m.accountId === id)?.email ?? id;
  const name = namer(org.orgId, org.orgName, members.data?.members ?? [], teams.data?.teams ?? [], contracts.data?.contracts ?? [], log.data?.events ?? []);
  const set = (k: keyof Filters) => (e: { currentTarget: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.currentTarget.value }));

  return (
    <div>
      <PageHeader title="Audit log" />
      <Form class="filters card" onSubmit={() => setApplied(draft)} label="Filters">
        <Field label="From" type="datetime-local" name="from" value={draft.from} onInput={set('from')} />
        <Field label="To" type="datetime-local" name="to" value={draft.to} onInput={set('to')} />
        <Select label="Actor" name="actor" value={draft.actor} onChange={set('actor')}>
          <option value="">Anyone</option>
          <option value="system">The server (system)</option>
          {members.data?.members.map((m) => (
            <option value={m.accountId}>{m.email}</option>
          ))}
        </Select>
        <Field label="Action" name="action" list="audit-actions" placeholder="e.g. assignment.create" value={draft.action} onInput={set('action')} />
        <datalist id="audit-actions">
          {knownActions.map((a) => (
            <option value={a} />
          ))}
        </datalist>
        <Field label="Target id" name="target" value={draft.target} onInput={set('target')} />
        <Select label="Show" name="limit" value={draft.limit} onChange={set('limit')}>
          <option value="50">50 newest</option>
          <option value="200">200 newest</option>
          <option value="1000">1000 newest</option>
        </Select>
        <div class="filter-buttons">
          <button type="submit" class="primary">
            Apply filters
          </button>{' '}
          <button type="button" onClick={() => (setDraft(none), setApplied(none))}>
            Clear
          </button>
        </div>
      </Form>
      <ErrorNote error={log.error} />
      {!log.data ? (
        !log.error && <Loading what="the audit log" />
      ) : log.data.events.length === 0 ? (
        <Empty>No event matches these filters.</Empty>
      ) : (
        <ScrollBox label="Audit events"><table class="audit">
          <TableHead cols={['When', 'Who', 'Action', 'Target', 'Change']} />
          <tbody>
            {log.data.events.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <td>{dateTime(e.at)}</td>
                <td>{who(e.actor)}</td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td data-target={e.target}>{name(e.target) ?? <code>{e.target}</code>}</td>
                <td>
                  <details>
                    <summary>before / after</summary>
                    <pre>{JSON.stringify({ before: e.before, after: e.after }, (_k, v: unknown) => (typeof v === 'string' ? (name(v) ?? v) : v), 2)}</pre>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table></ScrollBox>
      )}
    </div>
  );
}

type AuditEventView = AuditReply['events'][number];

/**
 * Names for the ids an event holds (accounts, seats, teams, contracts and their lines, the
 * organization), so people read "Bob Builder <bob@…>" rather than acc_…. A seat's id names its
 * product and holder as the log itself recorded them (the seat may be gone since).
 */
function namer(orgId: string, orgName: string, members: MemberView[], teams: TeamView[], contracts: ContractView[], events: AuditEventView[]) {
  const names = new Map<string, string>([[orgId, orgName]]);
  for (const m of members) names.set(m.accountId, `${m.name} <${m.email}>`);
  for (const t of teams) names.set(t.id, `team ${t.name}`);
  for (const c of contracts) {
    names.set(c.id, `contract ${c.number}`);
    for (const l of c.lines) names.set(l.id, `${l.productCode} on contract ${c.number}`);
  }
  const seatOf = (x: unknown) => {
    const r = x as { lineId?: string; accountId?: string; productCode?: string } | null;
    if (!r?.accountId) return undefined;
    const product = r.productCode ?? (r.lineId ? names.get(r.lineId)?.split(' ')[0] : undefined) ?? 'a product';
    const holder = members.find((m) => m.accountId === r.accountId);
    return `${product} seat of ${holder ? `${holder.name} <${holder.email}>` : r.accountId}`;
  };
  for (const e of events) {
    if (!e.target.startsWith('asg_') || names.has(e.target)) continue;
    const seat = seatOf(e.after) ?? seatOf(e.before);
    if (seat) names.set(e.target, seat);
    // A reassignment's new seat has an id of its own, recorded in "after".
    const after = e.after as { id?: string } | null;
    const next = seatOf(e.after);
    if (after?.id && next) names.set(after.id, next);
    const before = e.before as { id?: string } | null;
    const prev = seatOf(e.before);
    if (before?.id && prev) names.set(before.id, prev);
  }
  return (id: string): string | undefined => names.get(id);
}
