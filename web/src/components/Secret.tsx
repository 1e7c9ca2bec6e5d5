// A secret the API answers once (an API key, a client secret): shown with a copy button and a warning.
import { CopyButton } from './CopyButton';

export const SecretOnce = ({
  label,
  secret,
  kept = 'Charter keeps only its hash',
}: {
  label: string;
  secret: string;
  /** How Charter keeps it: a hash (keys, client secrets), or sealed to sign with (webhook secrets). */
  kept?: string;
}) => (
  <div className="secret" role="status">
    <p>
      <strong>{label}</strong>: shown this once. Copy it now; {kept}.
    </p>
    <code>{secret}</code> <CopyButton text={secret} />
  </div>
);
