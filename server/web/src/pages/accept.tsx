// Accepting an invitation from the link in its mail: see what it is for, then accept signed in,
// with the existing account's password, or by creating the account.
import { useEffect, useState } from 'preact/hooks';
import type { AcceptInvitationBody, AcceptInvitationReply, InvitationPreview } from '../../../../shared/api/invitations.js';
import { api } from '../api.js';
import { ErrorNote, Field, Form, Loading, NewPasswordField, Submit } from '../components.js';
import { dateTime, roleLabel } from '../format.js';
import { useAction } from '../hooks.js';
import { sentenceFor } from '../messages.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

export function AcceptPage() {
  const { me, refresh } = useSession();
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const [preview, setPreview] = useState<InvitationPreview | undefined>(undefined);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<AcceptInvitationReply | undefined>(undefined);
  const load = useAction(async () => setPreview(await api.post<InvitationPreview>('/api/v1/invitations/preview', { token })));
  const accept = useAction(async () => {
    const body: AcceptInvitationBody = { token };
    if (!me) {
      body.password = password;
      if (!preview?.accountExists) body.name = name;
    }
    const reply = await api.post<AcceptInvitationReply>('/api/v1/invitations/accept', body);
    setDone(reply);
    await refresh();
  });
  useEffect(() => {
    if (token) void load.run();
  }, [token]);

  if (!token) {
    return (
      <section class="narrow card">
        <h1>Accept an invitation</h1>
        <p>This link has no invitation token. Open the link from the invitation mail again.</p>
      </section>
    );
  }
  if (done) {
    return (
      <section class="narrow card confirmation">
        <h1>Welcome to {done.orgName}</h1>
        <p>You are a {roleLabel(done.role).toLowerCase()} of {done.orgName}.</p>
        {done.assigned.length > 0 && (
          <p>
            Assigned to you: <strong>{done.assigned.map((a) => a.productCode).join(', ')}</strong>.
          </p>
        )}
        {done.notAssigned.length > 0 && (
          <p class="warning">
            Not assigned: {done.notAssigned.map((n) => `${n.productCode ?? n.lineId} (${n.reason === 'SEAT_LIMIT_REACHED' ? 'no seat free' : sentenceFor(n.reason).replace(/\.$/, '').toLowerCase()})`).join(', ')}. Ask an administrator.
          </p>
        )}
        <p>
          <Link class="button primary" href="/my-products">
            See my products
          </Link>
        </p>
      </section>
    );
  }
  if (load.error) {
    return (
      <section class="narrow card">
        <h1>Accept an invitation</h1>
        <ErrorNote error={load.error} />
      </section>
    );
  }
  if (!preview) return <Loading what="the invitation" />;
  return (
    <section class="narrow card">
      <h1>Join {preview.orgName}</h1>
      <dl class="facts">
        <dt>Invited address</dt>
        <dd>{preview.email}</dd>
        <dt>Role</dt>
        <dd>{roleLabel(preview.role)}</dd>
        {preview.teamName && (
          <>
            <dt>Team</dt>
            <dd>{preview.teamName}</dd>
          </>
        )}
        <dt>Products</dt>
        <dd>{preview.productCodes.length ? preview.productCodes.join(', ') : 'none yet'}</dd>
        <dt>Expires</dt>
        <dd>{dateTime(preview.expiresAt)}</dd>
      </dl>
      <Form onSubmit={accept.run} label="Accept the invitation">
        {me ? (
          <p>
            You are signed in as <strong>{me.account.email}</strong>.
          </p>
        ) : preview.accountExists ? (
          <>
            <p>An account for {preview.email} exists. Enter its password to accept.</p>
            <Field label="Password" type="password" name="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          </>
        ) : (
          <>
            <p>Create your account for {preview.email}.</p>
            <Field label="Your name" name="name" autocomplete="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
            <NewPasswordField label="Choose a password" value={password} onInput={setPassword} />
          </>
        )}
        <Submit action={accept}>Accept invitation</Submit>
      </Form>
    </section>
  );
}
