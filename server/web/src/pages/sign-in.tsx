// Sign in with email and password. A near-miss email is refused with "did you mean …", offered as a fix.
import { useState } from 'preact/hooks';
import type { Me, SignInBody } from '../../../../shared/api/auth.js';
import { api } from '../api.js';
import { ErrorNote, FormErrorNote, Field, Form } from '../components.js';
import { useAction } from '../hooks.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

export function SignInPage() {
  const { setMe } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useAction(async () => setMe(await api.post<Me>('/api/v1/auth/sign-in', { email, password } satisfies SignInBody)));
  const suggestion = signIn.error?.code === 'EMAIL_MISMATCH' ? (signIn.error.details?.suggestion as string | undefined) : undefined;
  const next = new URLSearchParams(location.search).get('next');
  return (
    <section class="narrow card">
      <h1>Sign in</h1>
      <Form onSubmit={signIn.run}>
        <Field label="Email" type="email" name="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <Field label="Password" type="password" name="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        <FormErrorNote error={signIn.error}>
          {suggestion && (
            <button type="button" class="link" onClick={() => (setEmail(suggestion), signIn.clear())}>
              Use {suggestion}
            </button>
          )}
        </FormErrorNote>
        <button type="submit" class="primary" disabled={signIn.pending}>
          {signIn.pending ? 'Signing in…' : 'Sign in'}
        </button>
      </Form>
      <p class="aside">
        <Link href="/forgot-password">Forgot your password?</Link>
      </p>
      <p class="aside">
        New here? <Link href={`/register${next ? `?next=${encodeURIComponent(next)}` : ''}`}>Create an account</Link> with the serial number of your organization's contract.
      </p>
    </section>
  );
}
