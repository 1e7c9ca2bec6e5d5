// Offline activation for a managed customer: upload the activation request file an air-gapped machine's software
// wrote (POST /v1/portal/customers/{id}/offline-activations, every activation rule and limit applies), then
// download the license file to carry back to it. A key of another customer answers CUSTOMER_NOT_FOUND.
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useParams } from 'react-router';
import { Field } from '../../../../src/components/Field';
import { FormBanner } from '../../../../src/components/FormErrors';
import { CustomerHeading } from '../../components/CustomerHeading';
import { useOfflineActivation } from '../../hooks/portal';

/** The largest request file the API reads (its `request` field). */
const maxRequestBytes = 65_536;

export const OfflineActivation = () => {
  const { customerId = '' } = useParams();
  const activate = useOfflineActivation(customerId);
  const [file, setFile] = useState<File | null>(null);
  const [tooLarge, setTooLarge] = useState(false);
  const result = activate.data;
  // The license file as a download: a Blob URL (no inline data in the page, so the CSP holds), freed when replaced.
  const download = useMemo(
    () => (result ? URL.createObjectURL(new Blob([result.response], { type: 'text/plain' })) : undefined),
    [result],
  );
  useEffect(() => () => (download ? URL.revokeObjectURL(download) : undefined), [download]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    if (file.size > maxRequestBytes) {
      setTooLarge(true);
      return;
    }
    setTooLarge(false);
    activate.mutate(await file.text());
  };
  return (
    <section>
      <CustomerHeading title="Offline activation" customerId={customerId} />
      <p>
        A machine without a network connection writes an activation request file. Upload it here, then carry
        the license file back to the machine.
      </p>
      <form className="inline-form" onSubmit={(event) => void submit(event)}>
        <Field
          label="Activation request file"
          error={tooLarge ? `The file is larger than ${maxRequestBytes / 1024} KiB` : undefined}
        >
          {(props) => (
            <input
              {...props}
              type="file"
              required
              onChange={(event) => {
                setFile(event.target.files?.[0] ?? null);
                activate.reset();
              }}
            />
          )}
        </Field>
        <button type="submit" disabled={!file || activate.isPending}>
          {activate.isPending ? 'Activating…' : 'Activate'}
        </button>
      </form>
      <FormBanner error={activate.error} />
      {result && download ? (
        <div role="status" className="notice">
          <p>
            Activated <code>{result.machine.fingerprint}</code>
            {result.machine.hostname ? ` (${result.machine.hostname})` : ''} on license{' '}
            <code>{result.license.id}</code>: {result.license.machinesCount} of{' '}
            {result.license.maxMachines ?? 'unlimited'} machines used.
          </p>
          <a className="download" href={download} download={`charter-license-${result.machine.id}.lic`}>
            Download the license file
          </a>
        </div>
      ) : null}
    </section>
  );
};
