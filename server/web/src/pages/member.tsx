// One member: role, teams, assigned seats (unassign here) and the devices they are signed in on.
// A team admin unassigns only seats of the contracts attached to their teams.
import type { MemberDetail } from '../../../../shared/api/members.js';
import { announce } from '../a11y.js';
import { api, orgPath } from '../api.js';
import { ConfirmButton, Empty, ErrorNote, Loading, PageHeader, TableHead, ScrollBox } from '../components.js';
import { ago, dateTime, roleLabel } from '../format.js';
import { useAction, useApi } from '../hooks.js';
import { Link } from '../router.js';
import { useOrg, useSession } from '../session.js';

export function MemberPage({ accountId }: { accountId: string }) {
  const org = useOrg();
  const { isAdmin, adminTeams } = useSession();
  const member = useApi<MemberDetail>(orgPath(org.orgId, `/members/${encodeURIComponent(accountId)}`));
  // A team admin unassigns seats of the contracts attached to the teams they run (the session has them).
  const mayUnassign = (contractId: string) => isAdmin || !!adminTeams?.some((t) => t.contracts.some((c) => c.id === contractId));
  const unassign = useAction(async (assignmentId: string) => {
    await api.del(orgPath(org.orgId, `/assignments/${assignmentId}`));
    await member.reload();
    announce('Seat unassigned.');
  });
  if (member.error) return <ErrorNote error={member.error} />;
  if (!member.data) return <Loading what="the member" />;
  const m = member.data;
  return (
    <div>
      <p class="crumbs">
        <Link href="/members">{isAdmin ? 'Members' : 'Team members'}</Link> /
      </p>
      <PageHeader title={m.name} />
      <dl class="facts">
        <dt>Email</dt>
        <dd>{m.email}</dd>
        <dt>Role</dt>
        <dd>{roleLabel(m.role)}</dd>
        <dt>Teams</dt>
        <dd>{m.teams.length ? m.teams.map((t) => t.name + (t.admin ? ' (team admin)' : '')).join(', ') : 'none'}</dd>
        <dt>Member since</dt>
        <dd>{dateTime(m.joinedAt)}</dd>
      </dl>

      <section>
        <h2>Assigned seats</h2>
        <ErrorNote error={unassign.error} />
        {m.assignments.length === 0 ? (
          <Empty>No seats assigned. Assign them on <Link href="/products">Products</Link>.</Empty>
        ) : (
          <ScrollBox label="Seats"><table>
            <TableHead cols={['Product', 'Contract', 'Assigned']} actions />
            <tbody>
              {m.assignments.map((a) => (
                <tr key={a.id} data-assignment={a.productCode}>
                  <td>{a.productCode}</td>
                  <td>{a.contractNumber}</td>
                  <td>{dateTime(a.assignedAt)}</td>
                  <td class="actions">
                    {mayUnassign(a.contractId) && (
                      <ConfirmButton label="Unassign" question={`Take ${a.productCode} from ${m.name}?`} confirmLabel="Yes, unassign" onConfirm={() => void unassign.run(a.id)} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table></ScrollBox>
        )}
      </section>

      <section>
        <h2>Devices</h2>
        {m.devices.length === 0 ? (
          <Empty>Not signed in on any enrolled device.</Empty>
        ) : (
          <ScrollBox label="Devices"><table>
            <TableHead cols={['Device', 'Platform', 'Agent', 'Status']} />
            <tbody>
              {m.devices.map((d) => (
                <tr key={d.id} data-device={d.hostname}>
                  <td>{d.hostname}</td>
                  <td>{d.platform}</td>
                  <td>{d.agentVersion}</td>
                  <td>{d.online ? <span class="badge online">online</span> : <span class="badge offline">offline, seen {ago(d.lastSeenAt)}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table></ScrollBox>
        )}
      </section>
    </div>
  );
}
