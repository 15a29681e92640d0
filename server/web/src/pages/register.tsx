// Create an account; the serial number of a contract links it to the organization.
import { useState } from 'preact/hooks';
import type { Me, RegisterBody } from '../../../../shared/api/auth.js';
import { api } from '../api.js';
import { Field, Form, NewPasswordField, Submit } from '../components.js';
import { useAction } from '../hooks.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

export function RegisterPage() {
  const { setMe } = useSession();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [serial, setSerial] = useState('');
  const register = useAction(async () => {
    const body: RegisterBody = { name, email, password, ...(serial.trim() ? { serial: serial.trim() } : {}) };
    setMe(await api.post<Me>('/api/v1/auth/register', body));
  });
  return (
    <section class="narrow card">
      <h1>Create your account</h1>
      <Form onSubmit={register.run} label="Create your account">
        <Field label="Your name" name="name" autocomplete="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <Field label="Work email" type="email" name="email" autocomplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <NewPasswordField label="Password" value={password} onInput={setPassword} />
        <Field
          label="Serial number"
          name="serial"
          hint="From your organization's contract; it links your account to the organization. You can add it later."
          value={serial}
          onInput={(e) => setSerial(e.currentTarget.value)}
        />
        <Submit action={register}>{register.pending ? 'Creating…' : 'Create account'}</Submit>
      </Form>
      <p class="aside">
        Have an account? <Link href="/sign-in">Sign in</Link>.
      </p>
    </section>
  );
}
