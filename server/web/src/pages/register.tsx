// Create an account; the serial number of a contract links it to the organization. The address is
// verified by the mailed link, then the person signs in.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RegisterBody } from '../../../../shared/api/auth.js';
import { announce } from '../a11y.js';
import { api } from '../api.js';
import { Field, Form, NewPasswordField, Submit } from '../components.js';
import { useAction } from '../hooks.js';
import { Link } from '../router.js';

export function RegisterPage() {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [serial, setSerial] = useState('');
  const [sentTo, setSentTo] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  // The server answers alike whether the address has an account or not (no one learns which
  // addresses do), so the page says what happens in both cases and signs nobody in.
  const register = useAction(async () => {
    const body: RegisterBody = { name, email, password, ...(serial.trim() ? { serial: serial.trim() } : {}) };
    await api.post('/api/v1/auth/register', body);
    setSentTo(email.trim());
  });
  useEffect(() => {
    if (!sentTo) return;
    heading.current?.focus();
    announce('Check your mail.');
  }, [sentTo]);
  if (sentTo) {
    return (
      <section class="narrow card">
        <h1 ref={heading} tabIndex={-1}>
          Check your mail
        </h1>
        <p role="status">
          We sent a mail to {sentTo}. If the address is new here, it holds the link that verifies it; if it has an account already, the mail says how to sign in or
          reset the password.
        </p>
        <p>
          Then <Link href="/sign-in">sign in</Link>.
        </p>
      </section>
    );
  }
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
