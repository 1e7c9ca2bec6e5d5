// Sign-in with the operator's email and password (POST /v1/auth/login); says why the last session ended.
import { SignInForm } from '../components/SignInForm';
import { useSession } from '../hooks/session';

export const SignIn = () => {
  const { signIn, endedBecause } = useSession();
  return <SignInForm title="Sign in to Charter" notice={endedBecause} signIn={signIn} />;
};
