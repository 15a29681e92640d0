// An account without an organization links one by a contract's serial number.
import { useState } from 'preact/hooks';
import type { LinkSerialBody, Me } from '../../../../shared/api/auth.js';
import { api } from '../api.js';
import { ErrorNote, Field } from '../components.js';
import { useAction } from '../hooks.js';
import { navigate } from '../router.js';
import { useSession } from '../session.js';

export function LinkSerialPage() {
  const { me, setMe } = useSession();
  const [serial, setSerial] = useState('');
  const link = useAction(async () => {
    setMe(await api.post<Me>('/api/v1/me/serials', { serial } satisfies LinkSerialBody));
    navigate('/');
  });
  return (
    <section class="narrow card">
      <h1>Link your organization</h1>
      {me && me.orgs.length > 0 && <p>You belong to {me.orgs.map((o) => o.orgName).join(', ')}. Another serial number links another organization.</p>}
      {me && me.orgs.length === 0 && <p>Your account is not linked to an organization yet. Enter a serial number of its contract, or accept the invitation an administrator sent you.</p>}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void link.run();
        }}
      >
        <Field label="Serial number" name="serial" required value={serial} onInput={(e) => setSerial(e.currentTarget.value)} />
        <ErrorNote error={link.error} />
        <button type="submit" class="primary" disabled={link.pending}>
          Link organization
        </button>
      </form>
    </section>
  );
}
