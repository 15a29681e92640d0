// Create an account; the serial number of a contract links it to the organization.
import { useState } from 'preact/hooks';
import type { Me, RegisterBody } from '../../../../shared/api/auth.js';
import { api } from '../api.js';
import { ErrorNote, Field } from '../components.js';
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
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void register.run();
        }}
      >
        <Field label="Your name" name="name" autocomplete="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <Field label="Work email" type="email" name="email" autocomplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <Field
          label="Password"
          type="password"
          name="password"
          autocomplete="new-password"
          required
          minLength={8}
          hint="At least 8 characters."
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <Field
          label="Serial number"
          name="serial"
          hint="From your organization's contract; it links your account to the organization. You can add it later."
          value={serial}
          onInput={(e) => setSerial(e.currentTarget.value)}
        />
        <ErrorNote error={register.error} />
        <button type="submit" class="primary" disabled={register.pending}>
          {register.pending ? 'Creating…' : 'Create account'}
        </button>
      </form>
      <p class="aside">
        Have an account? <Link href="/sign-in">Sign in</Link>.
      </p>
    </section>
  );
}
