// An account without an organization links one by a contract's serial number; My account offers
// the same form to link another organization.
import { useState } from 'preact/hooks';
import type { LinkSerialBody, Me } from '../../../../shared/api/auth.js';
import { api } from '../api.js';
import { Field, Form, Submit } from '../components.js';
import { useAction } from '../hooks.js';
import { navigate } from '../router.js';
import { useSession } from '../session.js';

/** The serial-number form; `onLinked` gets the account as it is now, with the new organization. */
export function LinkSerialForm({ onLinked }: { onLinked(me: Me): void }) {
  const { setMe } = useSession();
  const [serial, setSerial] = useState('');
  const link = useAction(async () => {
    const me = await api.post<Me>('/api/v1/me/serials', { serial } satisfies LinkSerialBody);
    setMe(me);
    setSerial('');
    onLinked(me);
  });
  return (
    <Form onSubmit={link.run} label="Link an organization">
      <Field label="Serial number" name="serial" required value={serial} onInput={(e) => setSerial(e.currentTarget.value)} />
      <Submit action={link}>Link organization</Submit>
    </Form>
  );
}

export function LinkSerialPage() {
  const { me } = useSession();
  return (
    <section class="narrow card">
      <h1>Link your organization</h1>
      {me && me.orgs.length > 0 && <p>You belong to {me.orgs.map((o) => o.orgName).join(', ')}. Another serial number links another organization.</p>}
      {me && me.orgs.length === 0 && <p>Your account is not linked to an organization yet. Enter a serial number of its contract, or accept the invitation an administrator sent you.</p>}
      <LinkSerialForm onLinked={() => navigate('/')} />
    </section>
  );
}
