// A secret the API answers once (an API key, a client secret): shown with a copy button and a warning.
import { CopyButton } from './CopyButton';

export const SecretOnce = ({ label, secret }: { label: string; secret: string }) => (
  <div className="secret" role="status">
    <p>
      <strong>{label}</strong>: shown this once. Copy it now; Charter keeps only its hash.
    </p>
    <code>{secret}</code> <CopyButton text={secret} />
  </div>
);
