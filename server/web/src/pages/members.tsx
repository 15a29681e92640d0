// Members: search, invite (email, role, products, team), pending invitations (resend, cancel),
// appoint and demote administrators, remove members, and sign-ins refused for a near-miss email.
import { useState } from 'preact/hooks';
import type { ContractView } from '../../../../shared/api/contracts.js';
import type { CreateInvitationBody, InvitationList, InvitationView } from '../../../../shared/api/invitations.js';
import type { ChangeRoleBody, MemberList, MemberView, MismatchList } from '../../../../shared/api/members.js';
import type { TeamList } from '../../../../shared/api/teams.js';
import { api, orgPath, qs } from '../api.js';
import { Check, ConfirmButton, Empty, ErrorNote, Field, Loading, PageHeader, Select } from '../components.js';
import { ago, dateTime, roleLabel } from '../format.js';
import { useAction, useApi } from '../hooks.js';
import { Link } from '../router.js';
import { useOrg, useSession } from '../session.js';

type Role = MemberView['role'];

export function MembersPage() {
  const org = useOrg();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const members = useApi<MemberList>(orgPath(org.orgId, `/members${qs({ q: search })}`));
  const invitations = useApi<InvitationList>(orgPath(org.orgId, '/invitations'));
  const contracts = useApi<{ contracts: ContractView[] }>(orgPath(org.orgId, '/contracts'));
  const mismatches = useApi<MismatchList>(orgPath(org.orgId, '/mismatches'));

  return (
    <div>
      <PageHeader title="Members" />
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
      <MemberTable members={members.data?.members} error={members.error} search={search} reload={members.reload} />

      <div class="two-col">
        <InviteForm contracts={contracts.data?.contracts ?? []} onInvited={() => void invitations.reload()} />
        <section>
          <h2>Pending invitations</h2>
          <ErrorNote error={invitations.error} />
          {invitations.data && <InvitationTable invitations={invitations.data.invitations} contracts={contracts.data?.contracts ?? []} reload={invitations.reload} />}
        </section>
      </div>

      <section>
        <h2>Refused sign-ins</h2>
        <p class="aside">Sign-ins and acceptances with an address close to a member's ("did you mean …"). Tell the person which address their account uses.</p>
        <ErrorNote error={mismatches.error} />
        {mismatches.data &&
          (mismatches.data.mismatches.length === 0 ? (
            <Empty>No refused sign-ins.</Empty>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Tried</th>
                  <th scope="col">Did they mean</th>
                  <th scope="col">Where</th>
                </tr>
              </thead>
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
            </table>
          ))}
      </section>
    </div>
  );
}

function MemberTable({ members, error, search, reload }: { members: MemberView[] | undefined; error: ReturnType<typeof useApi>['error']; search: string; reload(): Promise<void> }) {
  if (error) return <ErrorNote error={error} />;
  if (!members) return <Loading what="members" />;
  if (members.length === 0) return <Empty>{search ? `No member matches “${search}”.` : 'No members yet: invite the people who use your products.'}</Empty>;
  return (
    <table class="members">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Email</th>
          <th scope="col">Role</th>
          <th scope="col">Products</th>
          <th scope="col">Teams</th>
          <th scope="col">
            <span class="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {members.map((m) => (
          <MemberRow key={m.accountId} m={m} reload={reload} />
        ))}
      </tbody>
    </table>
  );
}

function MemberRow({ m, reload }: { m: MemberView; reload(): Promise<void> }) {
  const org = useOrg();
  const { me, refresh } = useSession();
  const setRole = useAction(async (role: Role) => {
    await api.put(orgPath(org.orgId, `/members/${m.accountId}/role`), { role } satisfies ChangeRoleBody);
    await reload();
    if (m.accountId === me?.account.id) await refresh();
  });
  const remove = useAction(async () => {
    await api.del(orgPath(org.orgId, `/members/${m.accountId}`));
    await reload();
  });
  const error = setRole.error ?? remove.error;
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
        </td>
      </tr>
      {error && (
        <tr class="row-error">
          <td colSpan={6}>
            <ErrorNote error={error} />
          </td>
        </tr>
      )}
    </>
  );
}

/** Every line of every contract in force, labelled for a person choosing products. */
export function lineChoices(contracts: ContractView[]) {
  return contracts
    .filter((c) => c.active)
    .flatMap((c) => c.lines.map((l) => ({ id: l.id, label: `${l.productName} (${l.productCode}), contract ${c.number}`, free: Math.max(0, l.seats - l.assigned), line: l, contract: c })));
}

function InviteForm({ contracts, onInvited }: { contracts: ContractView[]; onInvited(): void }) {
  const org = useOrg();
  const teams = useApi<TeamList>(orgPath(org.orgId, '/teams'));
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [lineIds, setLineIds] = useState<string[]>([]);
  const [teamId, setTeamId] = useState('');
  const [sent, setSent] = useState<string | undefined>(undefined);
  const invite = useAction(async () => {
    const body: CreateInvitationBody = { email, role, lineIds, ...(teamId ? { teamId } : {}) };
    const inv = await api.post<InvitationView>(orgPath(org.orgId, '/invitations'), body);
    setSent(inv.email);
    setEmail('');
    setLineIds([]);
    onInvited();
  });
  return (
    <section>
      <h2>Invite a member</h2>
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          setSent(undefined);
          void invite.run();
        }}
      >
        <Field label="Email" type="email" name="invite-email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <Select label="Role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
          <option value="member">Member</option>
          <option value="admin">Administrator</option>
        </Select>
        <fieldset>
          <legend>Products to assign on acceptance</legend>
          {lineChoices(contracts).length === 0 && <p class="muted">No contract in force.</p>}
          {lineChoices(contracts).map((c) => (
            <Check
              key={c.id}
              label={`${c.label} — ${c.free} free`}
              checked={lineIds.includes(c.id)}
              onChange={(on) => setLineIds((ids) => (on ? [...ids, c.id] : ids.filter((x) => x !== c.id)))}
            />
          ))}
        </fieldset>
        {teams.data && teams.data.teams.length > 0 && (
          <Select label="Team (optional)" value={teamId} onChange={(e) => setTeamId(e.currentTarget.value)}>
            <option value="">No team</option>
            {teams.data.teams.map((t) => (
              <option value={t.id}>{t.name}</option>
            ))}
          </Select>
        )}
        <ErrorNote error={invite.error ?? teams.error} />
        {sent && (
          <p class="success" role="status">
            Invitation sent to {sent}.
          </p>
        )}
        <button type="submit" class="primary" disabled={invite.pending}>
          Send invitation
        </button>
      </form>
    </section>
  );
}

function InvitationTable({ invitations, contracts, reload }: { invitations: InvitationView[]; contracts: ContractView[]; reload(): Promise<void> }) {
  if (invitations.length === 0) return <Empty>No pending invitations.</Empty>;
  const productOf = (lineId: string) => contracts.flatMap((c) => c.lines).find((l) => l.id === lineId)?.productCode ?? lineId;
  return (
    <table class="invitations">
      <thead>
        <tr>
          <th scope="col">Email</th>
          <th scope="col">Role</th>
          <th scope="col">Products</th>
          <th scope="col">Sent</th>
          <th scope="col">
            <span class="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {invitations.map((i) => (
          <InvitationRow key={i.id} i={i} products={i.lineIds.map(productOf).join(', ')} reload={reload} />
        ))}
      </tbody>
    </table>
  );
}

function InvitationRow({ i, products, reload }: { i: InvitationView; products: string; reload(): Promise<void> }) {
  const org = useOrg();
  const [resent, setResent] = useState(false);
  const resend = useAction(async () => {
    await api.post(orgPath(org.orgId, `/invitations/${i.id}/resend`));
    setResent(true);
    await reload();
  });
  const cancel = useAction(async () => {
    await api.del(orgPath(org.orgId, `/invitations/${i.id}`));
    await reload();
  });
  const error = resend.error ?? cancel.error;
  return (
    <>
      <tr data-invitation={i.email}>
        <td>{i.email}</td>
        <td>{roleLabel(i.role)}</td>
        <td>{products || <span class="muted">none</span>}</td>
        <td>
          {ago(i.sentAt)}
          {i.expired ? <span class="badge revoke"> expired</span> : resent ? <span class="muted"> · sent again</span> : null}
        </td>
        <td class="actions">
          <button type="button" disabled={resend.pending} onClick={() => void resend.run()}>
            Resend
          </button>{' '}
          <ConfirmButton label="Cancel" question={`Cancel the invitation to ${i.email}?`} confirmLabel="Yes, cancel it" disabled={cancel.pending} onConfirm={() => void cancel.run()} />
        </td>
      </tr>
      {error && (
        <tr class="row-error">
          <td colSpan={5}>
            <ErrorNote error={error} />
          </td>
        </tr>
      )}
    </>
  );
}
