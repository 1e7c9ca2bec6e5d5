// The page of an invitation link (/portal/#/invitation/<token>): the person sets their password (POST
// /v1/portal/invitations/accept, once, before the link expires), then signs in with it.
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { passwordMax, passwordMin } from '../../../src/api/rules';
import { TextField } from '../../../src/components/Field';
import { FormBanner, formErrors } from '../../../src/components/FormErrors';
import { useAcceptInvitation } from '../hooks/portal';
import { usePortalSession } from '../hooks/session';

export const AcceptInvitation = () => {
  const { token = '' } = useParams();
  const { session, setNotice } = usePortalSession();
  const accept = useAcceptInvitation();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const mismatch = repeat !== '' && repeat !== password ? 'The two passwords differ' : undefined;
  const { fields } = formErrors(accept.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (mismatch) return;
    accept.mutate(
      { token, password },
      { onSuccess: () => setNotice('Your password is set. Sign in with your email and it.') },
    );
  };
  return (
    <main id="main" className="signin">
      <h1>Set your password</h1>
      {accept.isSuccess ? (
        <>
          <p role="status" className="notice">
            Your password is set.
          </p>
          <p>
            <Link to="/">{session ? 'Go to the portal' : 'Sign in'}</Link>
          </p>
        </>
      ) : (
        <form onSubmit={submit}>
          <p className="muted">
            You were invited to the customer portal. Choose the password you will sign in with.
          </p>
          <TextField
            label="New password"
            type="password"
            autoComplete="new-password"
            required
            minLength={passwordMin}
            maxLength={passwordMax}
            hint={`at least ${passwordMin} characters`}
            error={fields.password}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          <TextField
            label="Repeat the password"
            type="password"
            autoComplete="new-password"
            required
            error={mismatch}
            value={repeat}
            onChange={(event) => setRepeat(event.target.value)}
          />
          <FormBanner error={accept.error} />
          <button type="submit" disabled={accept.isPending || !!mismatch}>
            {accept.isPending ? 'Setting…' : 'Set password'}
          </button>
        </form>
      )}
    </main>
  );
};
