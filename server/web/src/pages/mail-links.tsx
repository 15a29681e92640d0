// The pages the server's mails link to: verifying an address (/verify-email?token=) and choosing
// a new password (/reset-password?token=); and asking for a reset link (/forgot-password).
// They work signed in or out: the token in the link is what counts.
import { useEffect, useRef, useState } from 'preact/hooks';
import { announce } from '../a11y.js';
import { api } from '../api.js';
import { ErrorNote, Field, Form, Loading, NewPasswordField, Submit } from '../components.js';
import { useAction } from '../hooks.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

const tokenOf = () => new URLSearchParams(location.search).get('token') ?? '';

export function VerifyEmailPage() {
  const { me, refresh } = useSession();
  const [done, setDone] = useState(false);
  const verify = useAction(async () => {
    await api.post('/api/v1/auth/verify-email', { token: tokenOf() });
    setDone(true);
    if (me) await refresh();
  });
  useEffect(() => {
    if (tokenOf()) void verify.run();
  }, []);
  if (!tokenOf()) {
    return (
      <section class="narrow card">
        <h1>Verify your email</h1>
        <p>This link has no verification token. Use the link in the mail as it was sent.</p>
      </section>
    );
  }
  return (
    <section class="narrow card">
      <h1>{done ? 'Your email is verified' : 'Verify your email'}</h1>
      {verify.pending && <Loading what="the verification" />}
      <ErrorNote error={verify.error} />
      {done &&
        (me ? (
          <p>
            Thank you. <Link href="/">Continue to Seatkeeper</Link>.
          </p>
        ) : (
          <p>
            Thank you. Now <Link href="/sign-in">sign in</Link> with your email and password.
          </p>
        ))}
    </section>
  );
}

export function ResetPasswordPage() {
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const reset = useAction(async () => {
    await api.post('/api/v1/auth/password-reset/complete', { token: tokenOf(), password });
    setDone(true);
  });
  useEffect(() => {
    if (!done) return;
    heading.current?.focus();
    announce('Your password is changed.');
  }, [done]);
  return (
    <section class="narrow card">
      <h1 ref={heading} tabIndex={-1}>
        {done ? 'Your password is changed' : 'Choose a new password'}
      </h1>
      {done ? (
        <p>
          Every session of your account was ended. <Link href="/sign-in">Sign in</Link> with the new password.
        </p>
      ) : !tokenOf() ? (
        <p>This link has no reset token. Use the link in the mail as it was sent.</p>
      ) : (
        <Form onSubmit={reset.run} label="Choose a new password">
          <NewPasswordField label="New password" value={password} onInput={setPassword} />
          <Submit action={reset}>Change password</Submit>
        </Form>
      )}
    </section>
  );
}

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState('');
  const ask = useAction(async () => {
    await api.post('/api/v1/auth/password-reset', { email });
    setSent(email);
  });
  return (
    <section class="narrow card">
      <h1>Forgot your password?</h1>
      <Form onSubmit={ask.run} label="Ask for a reset link">
        <Field label="Email" type="email" name="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <Submit action={ask}>Mail me a reset link</Submit>
      </Form>
      {sent && (
        <p class="success" role="status">
          If an account uses {sent}, a link to choose a new password is on its way. It works once, for 30 minutes.
        </p>
      )}
      <p class="aside">
        <Link href="/sign-in">Back to sign in</Link>
      </p>
    </section>
  );
}
