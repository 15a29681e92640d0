// Device sign-in: the person types the code their workstation's agent shows; the agent then
// receives their leases. The agent's verification link may carry the code (?code=).
import { useState } from 'preact/hooks';
import { DEVICE_CODE_ACTIVATE_PATH, type ActivateDeviceCodeBody, type ActivateDeviceCodeReply } from '../../../../shared/api/device-codes.js';
import { api } from '../api.js';
import { Field, Form, Submit } from '../components.js';
import { useAction } from '../hooks.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

export function ActivatePage() {
  const { me } = useSession();
  const [code, setCode] = useState(() => new URLSearchParams(location.search).get('code') ?? '');
  const [done, setDone] = useState<ActivateDeviceCodeReply | undefined>(undefined);
  const activate = useAction(async () => {
    setDone(await api.post<ActivateDeviceCodeReply>(DEVICE_CODE_ACTIVATE_PATH, { userCode: code } satisfies ActivateDeviceCodeBody));
    setCode('');
  });
  return (
    <section class="narrow card">
      <h1>Activate a device</h1>
      <p>
        Enter the code your workstation's Seatkeeper agent shows. It signs the workstation in as <strong>{me?.account.email}</strong>.
      </p>
      <Form onSubmit={activate.run}>
        <Field
          label="Code"
          name="user-code"
          class="code-input"
          required
          autocomplete="one-time-code"
          autocapitalize="characters"
          spellcheck={false}
          placeholder="ABCD-EFGH"
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
        <Submit action={activate}>Activate</Submit>
      </Form>
      {done && (
        <p class="success" role="status">
          {done.hostname} is signed in as {done.account.email}. The products assigned to you are on their way to it. <Link href="/my-products">See my products</Link>.
        </p>
      )}
    </section>
  );
}
