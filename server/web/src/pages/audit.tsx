// The audit log: every change, who made it, before and after; filtered by time, actor, action, target.
import { useState } from 'preact/hooks';
import type { AuditPage as AuditReply } from '../../../../shared/api/audit.js';
import type { MemberList } from '../../../../shared/api/members.js';
import { orgPath, qs } from '../api.js';
import { Empty, ErrorNote, Field, Form, Loading, PageHeader, Select, TableHead } from '../components.js';
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
  const who = (id: string) => members.data?.members.find((m) => m.accountId === id)?.email ?? id;
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
        <table class="audit">
          <TableHead cols={['When', 'Who', 'Action', 'Target', 'Change']} />
          <tbody>
            {log.data.events.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <td>{dateTime(e.at)}</td>
                <td>{who(e.actor)}</td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>
                  <code>{e.target}</code>
                </td>
                <td>
                  <details>
                    <summary>before / after</summary>
                    <pre>{JSON.stringify({ before: e.before, after: e.after }, null, 2)}</pre>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
