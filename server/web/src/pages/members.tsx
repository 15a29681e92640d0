// Members: search, invite (email, role, products, team), pending invitations (resend, cancel),
// appoint and demote administrators, remove members, and sign-ins refused for a near-miss email.
// A team admin sees the members of the teams they administer: adds people to those teams, removes
// them, and invites members into them; the organization-wide actions are not offered.
import { useState } from 'preact/hooks';
import type { Role } from '../../../../shared/api/common.js';
import type { ContractView } from '../../../../shared/api/contracts.js';
import type { InvitationList } from '../../../../shared/api/invitations.js';
import type { ChangeRoleBody, MemberList, MemberView, MismatchList } from '../../../../shared/api/members.js';
import type { TeamView } from '../../../../shared/api/teams.js';
import { announce } from '../a11y.js';
import { type ApiError, api, orgPath, qs } from '../api.js';
import { ConfirmButton, Empty, ErrorNote, Field, Loading, PageHeader, PickForm, RowError, TableHead, memberChoices, ScrollBox } from '../components.js';
import { dateTime, roleLabel } from '../format.js';
import { useAction, useApi } from '../hooks.js';
import { Link } from '../router.js';
import { useOrg, useSession } from '../session.js';
import { InvitationTable, InviteForm } from './invitations.js';

export function MembersPage() {
  const org = useOrg();
  const { isAdmin, adminTeams = [] } = useSession();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const members = useApi<MemberList>(orgPath(org.orgId, `/members${qs({ q: search })}`));
  // A team admin adds people to a team from the whole organization, whatever the search shows
  // (with no search, that is the list already fetched).
  const searched = useApi<MemberList>(isAdmin || search === '' ? null : orgPath(org.orgId, '/members'));
  const everyone = search === '' ? members : searched;
  const invitations = useApi<InvitationList>(orgPath(org.orgId, '/invitations'));
  const contracts = useApi<{ contracts: ContractView[] }>(orgPath(org.orgId, '/contracts'));
  const mismatches = useApi<MismatchList>(isAdmin ? orgPath(org.orgId, '/mismatches') : null);
  const mine = new Set(adminTeams.map((t) => t.id));
  const shown = isAdmin ? members.data?.members : members.data?.members.filter((m) => m.teams.some((t) => mine.has(t.id)));
  const reload = async () => {
    await Promise.all([members.reload(), ...(everyone === members ? [] : [everyone.reload()])]);
  };

  return (
    <div>
      <PageHeader title={isAdmin ? 'Members' : 'Team members'} />
      {!isAdmin && <p class="aside">The members of the teams you administer: {adminTeams.map((t) => t.name).join(', ')}. Assign their seats on Products and Services.</p>}
      <form
        class="search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(q.trim());
        }}
      >
        <Field label="Search members" type="search" name="q" placeholder="Name or email" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        <button type="submit">Search</button>
        {search && (
          <button type="button" class="link" onClick={() => (setQ(''), setSearch(''))}>
            Show all
          </button>
        )}
      </form>
      <MemberTable members={shown} error={members.error} search={search} reload={reload} />
      {!isAdmin && <AddToTeams teams={adminTeams} everyone={everyone.data?.members} error={everyone.error} reload={reload} />}

      <div class="two-col">
        <InviteForm contracts={contracts.data?.contracts ?? []} onInvited={() => void invitations.reload()} />
        <section>
          <h2>Pending invitations</h2>
          <ErrorNote error={invitations.error} />
          {invitations.data && <InvitationTable invitations={invitations.data.invitations} contracts={contracts.data?.contracts ?? []} reload={invitations.reload} />}
        </section>
      </div>

      {isAdmin && (
        <section>
          <h2>Refused sign-ins</h2>
          <p class="aside">Sign-ins and acceptances with an address close to a member's ("did you mean …"). Tell the person which address their account uses.</p>
          <ErrorNote error={mismatches.error} />
          {mismatches.data &&
            (mismatches.data.mismatches.length === 0 ? (
              <Empty>No refused sign-ins.</Empty>
            ) : (
              <ScrollBox label="Refused sign-ins"><table>
                <TableHead cols={['When', 'Tried', 'Did they mean', 'Where']} />
                <tbody>
                  {mismatches.data.mismatches.map((m) => (
                    <tr key={m.id}>
                      <td>{dateTime(m.at)}</td>
                      <td>{m.attempted}</td>
                      <td>{m.suggestion}</td>
                      <td>{m.context === 'sign-in' ? 'Sign-in' : 'Invitation'}</td>
                    </tr>
                  ))}
                </tbody>
              </table></ScrollBox>
            ))}
        </section>
      )}
    </div>
  );
}

function MemberTable({ members, error, search, reload }: { members: MemberView[] | undefined; error: ApiError | undefined; search: string; reload(): Promise<void> }) {
  const { isAdmin } = useSession();
  if (error) return <ErrorNote error={error} />;
  if (!members) return <Loading what="members" />;
  if (members.length === 0) {
    if (search) return <Empty>No member matches “{search}”.</Empty>;
    return <Empty>{isAdmin ? 'No members yet: invite the people who use your products.' : 'Your teams have no members yet: add or invite them below.'}</Empty>;
  }
  return (
    <ScrollBox label="Members"><table class="members">
      <TableHead cols={['Name', 'Email', 'Role', 'Products', 'Teams']} actions />
      <tbody>
        {members.map((m) => (
          <MemberRow key={m.accountId} m={m} reload={reload} />
        ))}
      </tbody>
    </table></ScrollBox>
  );
}

function MemberRow({ m, reload }: { m: MemberView; reload(): Promise<void> }) {
  const org = useOrg();
  const { me, refresh, isAdmin, adminTeams = [] } = useSession();
  const self = m.accountId === me?.account.id;
  const setRole = useAction(async (role: Role) => {
    await api.put(orgPath(org.orgId, `/members/${m.accountId}/role`), { role } satisfies ChangeRoleBody);
    await reload();
    announce(`${m.name} is now ${roleLabel(role).toLowerCase()}.`);
    if (self) await refresh();
  });
  const remove = useAction(async () => {
    await api.del(orgPath(org.orgId, `/members/${m.accountId}`));
    await reload();
    announce(`${m.name} removed from the organization.`);
  });
  const leave = useAction(async (teamId: string) => {
    await api.del(orgPath(org.orgId, `/teams/${teamId}/members/${m.accountId}`));
    await reload();
    // Leaving a team one administers ends administering it.
    if (self) await refresh();
  });
  const managedTeams = isAdmin ? [] : m.teams.filter((t) => adminTeams.some((a) => a.id === t.id));
  return (
    <>
      <tr data-member={m.email}>
        <td>
          <Link href={`/members/${m.accountId}`}>{m.name}</Link>
        </td>
        <td>{m.email}</td>
        <td>{roleLabel(m.role)}</td>
        <td>{m.assignments.length ? m.assignments.map((a) => a.productCode).join(', ') : <span class="muted">none</span>}</td>
        <td>{m.teams.length ? m.teams.map((t) => t.name + (t.admin ? ' (admin)' : '')).join(', ') : <span class="muted">—</span>}</td>
        <td class="actions">
          {isAdmin ? (
            <>
              {m.role === 'member' ? (
                <button type="button" disabled={setRole.pending} onClick={() => void setRole.run('admin')}>
                  Make administrator
                </button>
              ) : m.role === 'admin' ? (
                <button type="button" disabled={setRole.pending} onClick={() => void setRole.run('member')}>
                  Demote to member
                </button>
              ) : null}{' '}
              <ConfirmButton label="Remove" question={`Remove ${m.email}? Their seats are freed.`} confirmLabel="Yes, remove" disabled={remove.pending} onConfirm={() => void remove.run()} />
            </>
          ) : (
            managedTeams.map((t) => (
              <ConfirmButton
                key={t.id}
                label={`Remove from ${t.name}`}
                question={`Remove ${m.email} from ${t.name}?`}
                confirmLabel="Yes, remove"
                disabled={leave.pending}
                onConfirm={() => void leave.run(t.id)}
              />
            ))
          )}
        </td>
      </tr>
      <RowError error={setRole.error ?? remove.error ?? leave.error} cols={6} />
    </>
  );
}

/** A team admin's "add a member of the organization to my team", one form per team. */
function AddToTeams({ teams, everyone, error, reload }: { teams: TeamView[]; everyone: MemberView[] | undefined; error: ApiError | undefined; reload(): Promise<void> }) {
  const org = useOrg();
  const add = useAction(async (teamId: string, accountId: string) => {
    await api.put(orgPath(org.orgId, `/teams/${teamId}/members/${accountId}`));
    await reload();
    return true;
  });
  return (
    <section class="card add-to-team">
      <h2>Add to a team</h2>
      <ErrorNote error={error} />
      {everyone &&
        teams.map((t) => (
          <PickForm
            key={t.id}
            label={`Add to ${t.name}`}
            placeholder="Choose a member…"
            choices={memberChoices(everyone.filter((m) => !m.teams.some((x) => x.id === t.id)))}
            submit="Add member"
            pending={add.pending}
            onPick={(accountId) => add.run(t.id, accountId)}
          />
        ))}
      <ErrorNote error={add.error} />
    </section>
  );
}
