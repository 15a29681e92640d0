// Teams: members, team admins (who manage that team only) and the contracts the team draws seats
// from (a two-tier product's project team is the team its contract is attached to).
import { useState } from 'preact/hooks';
import type { ContractView } from '../../../../shared/api/contracts.js';
import type { MemberList, MemberView } from '../../../../shared/api/members.js';
import type { TeamBody, TeamList, TeamView } from '../../../../shared/api/teams.js';
import { api, orgPath } from '../api.js';
import { ConfirmButton, CreateForm, Empty, ErrorNote, Field, Form, Loading, PageHeader, PickForm, memberChoices, ScrollBox } from '../components.js';
import { useAction, useApi } from '../hooks.js';
import { useOrg } from '../session.js';

export function TeamsPage() {
  const org = useOrg();
  const teams = useApi<TeamList>(orgPath(org.orgId, '/teams'));
  const members = useApi<MemberList>(orgPath(org.orgId, '/members'));
  const contracts = useApi<{ contracts: ContractView[] }>(orgPath(org.orgId, '/contracts'));
  const [name, setName] = useState('');
  const create = useAction(async () => {
    await api.post(orgPath(org.orgId, '/teams'), { name } satisfies TeamBody);
    setName('');
    await teams.reload();
  });
  const error = teams.error ?? members.error ?? contracts.error;
  return (
    <div>
      <PageHeader title="Teams" />
      <CreateForm label="Create a team" submit="Create team" action={create} onSubmit={create.run}>
        <Field label="New team" name="team-name" required placeholder="e.g. Plant design" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </CreateForm>
      <ErrorNote error={error} />
      {!teams.data || !members.data || !contracts.data ? (
        !error && <Loading what="teams" />
      ) : teams.data.teams.length === 0 ? (
        <Empty>No teams yet. Teams group people by project; attach a contract so they draw seats from it.</Empty>
      ) : (
        teams.data.teams.map((t) => <TeamCard key={t.id} team={t} members={members.data!.members} contracts={contracts.data!.contracts} reload={teams.reload} />)
      )}
    </div>
  );
}

function TeamCard({ team, members, contracts, reload }: { team: TeamView; members: MemberView[]; contracts: ContractView[]; reload(): Promise<void> }) {
  const org = useOrg();
  const base = `/teams/${team.id}`;
  const [renaming, setRenaming] = useState(false);
  const [newName, setNewName] = useState(team.name);
  // One action runner for the card: the error shows on the card, whichever button caused it.
  const act = useAction(async (method: 'put' | 'del' | 'patch', path: string, body?: unknown) => {
    if (method === 'del') await api.del(orgPath(org.orgId, path));
    else await api[method](orgPath(org.orgId, path), body ?? {});
    await reload();
    return true;
  });
  const outside = members.filter((m) => !team.members.some((x) => x.accountId === m.accountId));
  const detached = contracts.filter((c) => !team.contracts.some((x) => x.id === c.id));
  return (
    <section class="team card" data-team={team.name}>
      <div class="line-head">
        {renaming ? (
          <Form class="inline-form" onSubmit={() => act.run('patch', base, { name: newName } satisfies TeamBody).then((ok) => ok && setRenaming(false))}>
            <Field label="Team name" name="rename" required value={newName} onInput={(e) => setNewName(e.currentTarget.value)} />
            <button type="submit" class="primary">
              Save name
            </button>{' '}
            <button type="button" onClick={() => setRenaming(false)}>
              Cancel
            </button>
          </Form>
        ) : (
          <h2>{team.name}</h2>
        )}
        <div class="actions">
          {!renaming && (
            <button type="button" onClick={() => (setNewName(team.name), setRenaming(true))}>
              Rename
            </button>
          )}{' '}
          <ConfirmButton label="Delete team" question={`Delete ${team.name}? Its members lose the project membership it gave.`} confirmLabel="Yes, delete" onConfirm={() => void act.run('del', base)} />
        </div>
      </div>
      <ErrorNote error={act.error} />
      <div class="two-col">
        <div>
          <h3>Members</h3>
          {team.members.length === 0 ? (
            <Empty>No members.</Empty>
          ) : (
            <ScrollBox label="Team members"><table>
              <tbody>
                {team.members.map((m) => (
                  <tr key={m.accountId} data-team-member={m.email}>
                    <td>
                      {m.name} <span class="muted">{m.email}</span> {m.admin && <span class="badge">team admin</span>}
                    </td>
                    <td class="actions">
                      {m.admin ? (
                        <button type="button" onClick={() => void act.run('del', `${base}/admins/${m.accountId}`)}>
                          Remove team admin
                        </button>
                      ) : (
                        <button type="button" onClick={() => void act.run('put', `${base}/admins/${m.accountId}`)}>
                          Make team admin
                        </button>
                      )}{' '}
                      <button type="button" class="danger-outline" onClick={() => void act.run('del', `${base}/members/${m.accountId}`)}>
                        Remove from team
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table></ScrollBox>
          )}
          <PickForm
            label={`Add to ${team.name}`}
            placeholder="Choose a member…"
            choices={memberChoices(outside)}
            submit="Add member"
            pending={act.pending}
            onPick={(accountId) => act.run('put', `${base}/members/${accountId}`)}
          />
        </div>
        <div>
          <h3>Contracts</h3>
          {team.contracts.length === 0 ? (
            <Empty>No contract attached.</Empty>
          ) : (
            <ul class="plain">
              {team.contracts.map((c) => (
                <li key={c.id} data-team-contract={c.number}>
                  Contract {c.number}{' '}
                  <button type="button" class="danger-outline" onClick={() => void act.run('del', `${base}/contracts/${c.id}`)}>
                    Detach
                  </button>
                </li>
              ))}
            </ul>
          )}
          <PickForm
            label="Attach contract"
            placeholder="Choose a contract…"
            choices={detached.map((c) => ({ value: c.id, label: c.number }))}
            submit="Attach"
            pending={act.pending}
            onPick={(contractId) => act.run('put', `${base}/contracts/${contractId}`)}
          />
        </div>
      </div>
    </section>
  );
}
