// Invitations on the Members page: the invite form (admins: any role and team; a team admin:
// members into one of their teams) and the pending invitations with resend and cancel.
import { confirmingNearMiss } from '../near-miss.js';
import { useState } from 'preact/hooks';
import type { Role } from '../../../../shared/api/common.js';
import type { ContractView } from '../../../../shared/api/contracts.js';
import type { CreateInvitationBody, InvitationView } from '../../../../shared/api/invitations.js';
import type { MemberView } from '../../../../shared/api/members.js';
import type { TeamList } from '../../../../shared/api/teams.js';
import { api, orgPath } from '../api.js';
import { Check, ConfirmButton, Empty, ErrorNote, FormErrorNote, Field, Form, RowError, Select, TableHead, ScrollBox } from '../components.js';
import { ago, roleLabel } from '../format.js';
import { useAction, useApi } from '../hooks.js';
import { useOrg, useSession } from '../session.js';

/** Every line of every contract in force, labelled for a person choosing products. */
export function lineChoices(contracts: ContractView[]) {
  return contracts
    .filter((c) => c.active)
    .flatMap((c) => c.lines.map((l) => ({ id: l.id, label: `${l.productName} (${l.productCode}), contract ${c.number}`, free: Math.max(0, l.seats - l.assigned), line: l, contract: c })));
}

export function InviteForm({ contracts, onInvited }: { contracts: ContractView[]; onInvited(): void }) {
  const org = useOrg();
  const { isAdmin, adminTeams = [] } = useSession();
  // Admins invite into any team or none; a team admin invites members into a team of theirs.
  const all = useApi<TeamList>(isAdmin ? orgPath(org.orgId, '/teams') : null);
  const teams = isAdmin ? (all.data?.teams ?? []) : adminTeams;
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [lineIds, setLineIds] = useState<string[]>([]);
  const [teamId, setTeamId] = useState(isAdmin ? '' : (adminTeams[0]?.id ?? ''));
  const [sent, setSent] = useState<string | undefined>(undefined);
  const invite = useAction(async () => {
    setSent(undefined);
    const body: CreateInvitationBody = { email, role, lineIds, ...(teamId ? { teamId } : {}) };
    const inv = await confirmingNearMiss((confirmNearMiss) => api.post<InvitationView>(orgPath(org.orgId, '/invitations'), { ...body, ...(confirmNearMiss ? { confirmNearMiss } : {}) }));
    setSent(inv.email);
    setEmail('');
    setLineIds([]);
    onInvited();
  });
  const choices = lineChoices(contracts);
  return (
    <section>
      <h2>{isAdmin ? 'Invite a member' : 'Invite a member into your team'}</h2>
      <Form class="card" onSubmit={invite.run} label="Invite a member">
        <Field label="Email" type="email" name="invite-email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        {isAdmin && (
          <Select label="Role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            <option value="member">Member</option>
            <option value="admin">Administrator</option>
          </Select>
        )}
        <fieldset>
          <legend>Products to assign on acceptance</legend>
          {choices.length === 0 && <p class="muted">No contract in force.</p>}
          {choices.map((c) => (
            <Check
              key={c.id}
              label={`${c.label} — ${c.free} free`}
              checked={lineIds.includes(c.id)}
              onChange={(on) => setLineIds((ids) => (on ? [...ids, c.id] : ids.filter((x) => x !== c.id)))}
            />
          ))}
        </fieldset>
        {teams.length > 0 && (
          <Select label={isAdmin ? 'Team (optional)' : 'Team'} value={teamId} required={!isAdmin} onChange={(e) => setTeamId(e.currentTarget.value)}>
            {isAdmin && <option value="">No team</option>}
            {teams.map((t) => (
              <option value={t.id}>{t.name}</option>
            ))}
          </Select>
        )}
        <FormErrorNote error={invite.error ?? all.error} />
        {sent && (
          <p class="success" role="status">
            Invitation sent to {sent}.
          </p>
        )}
        <button type="submit" class="primary" disabled={invite.pending}>
          Send invitation
        </button>
      </Form>
    </section>
  );
}

export function InvitationTable({ invitations, contracts, reload }: { invitations: InvitationView[]; contracts: ContractView[]; reload(): Promise<void> }) {
  if (invitations.length === 0) return <Empty>No pending invitations.</Empty>;
  const productOf = (lineId: string) => contracts.flatMap((c) => c.lines).find((l) => l.id === lineId)?.productCode ?? lineId;
  return (
    <ScrollBox label="Invitations"><table class="invitations">
      <TableHead cols={['Email', 'Role', 'Products', 'Sent']} actions />
      <tbody>
        {invitations.map((i) => (
          <InvitationRow key={i.id} i={i} products={i.lineIds.map(productOf).join(', ')} reload={reload} />
        ))}
      </tbody>
    </table></ScrollBox>
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
      <RowError error={resend.error ?? cancel.error} cols={5} />
    </>
  );
}
