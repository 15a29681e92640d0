// Changing my password while signed in: the current one is needed, and every other session of
// the account ends (this one stays).
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { Field, Form, NewPasswordField, PageHeader, Submit } from '../components.js';
import { useAction } from '../hooks.js';
import { Link } from '../router.js';

export function ChangePasswordPage() {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [done, setDone] = useState(false);
  const change = useAction(async () => {
    await api.post('/api/v1/me/password', { currentPassword, newPassword });
    setDone(true);
    setCurrent('');
    setNew('');
  });
  return (
    <div class="narrow">
      <PageHeader title="Change password" />
      <Form onSubmit={change.run} label="Change password">
        <Field label="Current password" type="password" name="current-password" autocomplete="current-password" required value={currentPassword} onInput={(e) => setCurrent(e.currentTarget.value)} />
        <NewPasswordField label="New password" value={newPassword} onInput={setNew} />
        <Submit action={change}>Change password</Submit>
      </Form>
      {done && (
        <p class="success" role="status">
          Your password is changed; your other sessions were signed out.
        </p>
      )}
      <p class="aside">
        <Link href="/account">Back to my account</Link>
      </p>
    </div>
  );
}
