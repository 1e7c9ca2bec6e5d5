// Sign-in with the license user's email and password (POST /v1/portal/login); says why the last session ended.
import { SignInForm } from '../../../src/components/SignInForm';
import { usePortalSession } from '../hooks/session';

export const SignIn = () => {
  const { signIn, notice } = usePortalSession();
  return <SignInForm title="Sign in to the customer portal" notice={notice} signIn={signIn} />;
};
