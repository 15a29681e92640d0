// My account: who I am and where, linking another organization by serial number, and the API
// tokens my scripts use (the secret is shown once, at creation).
import { useState } from 'preact/hooks';
import type { ApiTokenView, CreateApiTokenBody, Me } from '../../../../shared/api/auth.js';
import { api } from '../api.js';
import { ConfirmButton, CreateForm, Empty, ErrorNote, Field, Loading, PageHeader, RowError, ShownOnce, TableHead, ScrollBox } from '../components.js';
import { ago, dateTime, roleLabel } from '../format.js';
import { useAction, useApi } from '../hooks.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { LinkSerialForm } from './link-serial.js';

const TOKENS = '/api/v1/me/tokens';

/** What POST /me/tokens answers; shared/api/auth.ts has no type for it yet. */
interface CreatedApiToken {
  id: string;
  name: string;
  token: string;
}

export function AccountPage() {
  const { me } = useSession();
  const [linked, setLinked] = useState<string | undefined>(undefined);
  if (!me) return <Loading what="your account" />;
  const onLinked = (next: Me) => {
    const added = next.orgs.filter((o) => !me.orgs.some((p) => p.orgId === o.orgId));
    setLinked(added.length ? `Linked to ${added.map((o) => o.orgName).join(', ')}.` : 'You already belong to the organization of that serial number.');
  };
  return (
    <div>
      <PageHeader title="My account" />
      <dl class="facts">
        <dt>Name</dt>
        <dd>{me.account.name}</dd>
        <dt>Email</dt>
        <dd>{me.account.email}</dd>
      </dl>
      <p class="aside">
        <Link href="/account/password">Change password</Link>
      </p>

      <div class="two-col">
        <section>
          <h2>Organizations</h2>
          {me.orgs.length === 0 ? (
            <Empty>Not linked to an organization yet.</Empty>
          ) : (
            <ul class="plain" aria-label="My organizations">
              {me.orgs.map((o) => (
                <li key={o.orgId} data-org={o.orgName}>
                  <strong>{o.orgName}</strong> <span class="muted">· {roleLabel(o.role)}</span>
                </li>
              ))}
            </ul>
          )}
          <div class="card">
            <h3>Link another organization</h3>
            <p class="aside">Enter a serial number of the organization's contract.</p>
            <LinkSerialForm onLinked={onLinked} />
            {linked && (
              <p class="success" role="status">
                {linked}
              </p>
            )}
          </div>
        </section>
        <ApiTokens />
      </div>
    </div>
  );
}

function ApiTokens() {
  const tokens = useApi<{ tokens: ApiTokenView[] }>(TOKENS);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedApiToken | undefined>(undefined);
  const create = useAction(async () => {
    setCreated(await api.post<CreatedApiToken>(TOKENS, { name } satisfies CreateApiTokenBody));
    setName('');
    await tokens.reload();
  });
  return (
    <section>
      <h2>API tokens</h2>
      <p class="aside">
        For scripts: send <code>Authorization: Bearer &lt;token&gt;</code>. A token acts as you, in every organization you belong to, until you revoke it.
      </p>
      <CreateForm label="Create an API token" submit="Create token" action={create} onSubmit={create.run}>
        <Field label="Token name" name="api-token-name" required placeholder="e.g. Nightly seat report" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </CreateForm>
      {created && <ShownOnce name={created.name} note="Copy it now: this is the only time it is shown." secret={created.token} copyLabel="Copy token" />}
      <ErrorNote error={tokens.error} />
      {!tokens.data ? (
        !tokens.error && <Loading what="your tokens" />
      ) : tokens.data.tokens.length === 0 ? (
        <Empty>No API tokens.</Empty>
      ) : (
        <ScrollBox label="API tokens"><table class="api-tokens">
          <TableHead cols={['Name', 'Created', 'Last used']} actions />
          <tbody>
            {tokens.data.tokens.map((t) => (
              <TokenRow key={t.id} t={t} reload={tokens.reload} />
            ))}
          </tbody>
        </table></ScrollBox>
      )}
    </section>
  );
}

function TokenRow({ t, reload }: { t: ApiTokenView; reload(): Promise<void> }) {
  const revoke = useAction(async () => {
    await api.del(`${TOKENS}/${encodeURIComponent(t.id)}`);
    await reload();
  });
  return (
    <>
      <tr data-api-token={t.name}>
        <td>{t.name}</td>
        <td>{dateTime(t.createdAt)}</td>
        <td>{ago(t.lastUsedAt)}</td>
        <td class="actions">
          <ConfirmButton label="Revoke" question={`Revoke ${t.name}? Scripts using it stop working.`} confirmLabel="Yes, revoke" disabled={revoke.pending} onConfirm={() => void revoke.run()} />
        </td>
      </tr>
      <RowError error={revoke.error} cols={4} />
    </>
  );
}
