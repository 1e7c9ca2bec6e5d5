// Releases: a product's versions on the stable and beta channels with their downloadable files (what the Client
// API's update check answers). An operator holding releases:write publishes one (now, or at a later time) and
// withdraws one.
import { type FormEvent, useState } from 'react';
import { useSearchParams } from 'react-router';
import { sha256Rule, versionRule } from '../../api/rules';
import { when } from '../../components/Badge';
import { ConfirmButton } from '../../components/ConfirmButton';
import { Field, TextField } from '../../components/Field';
import { FormBanner, formErrors } from '../../components/FormErrors';
import { PagedList } from '../../components/PagedList';
import { ProductSelect } from '../../components/ProductSelect';
import { fetchReleases, type Release, useCreateRelease, useDeleteRelease } from '../../hooks/catalog';
import { useSession } from '../../hooks/session';

type File = Release['files'][number];
const noFile: File = { platform: '', url: '', sha256: '', size: 0 };

const PublishRelease = () => {
  const create = useCreateRelease();
  const [productId, setProductId] = useState('');
  const [version, setVersion] = useState('');
  const [channel, setChannel] = useState<Release['channel']>('stable');
  const [notes, setNotes] = useState('');
  const [publishAt, setPublishAt] = useState('');
  const [file, setFile] = useState<File>(noFile);
  const { fields } = formErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      {
        productId,
        version: version.trim(),
        channel,
        ...(notes.trim() ? { notes: notes.trim() } : {}),
        ...(publishAt ? { publishedAt: new Date(publishAt).toISOString() } : {}),
        files: file.url ? [file] : [],
      },
      {
        onSuccess: () => {
          setVersion('');
          setNotes('');
          setPublishAt('');
          setFile(noFile);
        },
      },
    );
  };
  return (
    <details className="panel">
      <summary>Publish a release</summary>
      <form onSubmit={submit}>
        <ProductSelect
          none="Choose a product"
          required
          value={productId}
          onChange={setProductId}
          error={fields.productId}
        />
        <TextField
          label="Version"
          hint="semantic version, e.g. 2.4.0 or 3.0.0-beta.1"
          required
          {...versionRule}
          error={fields.version}
          value={version}
          onChange={(event) => setVersion(event.target.value)}
        />
        <Field label="Channel" error={fields.channel}>
          {(props) => (
            <select
              {...props}
              value={channel}
              onChange={(event) => setChannel(event.target.value as Release['channel'])}
            >
              <option value="stable">stable</option>
              <option value="beta">beta</option>
            </select>
          )}
        </Field>
        <TextField
          label="Publish at (your local time; empty: now)"
          type="datetime-local"
          error={fields.publishedAt}
          value={publishAt}
          onChange={(event) => setPublishAt(event.target.value)}
        />
        <Field label="Notes" error={fields.notes}>
          {(props) => (
            <textarea {...props} value={notes} onChange={(event) => setNotes(event.target.value)} />
          )}
        </Field>
        <fieldset className="inline-form">
          <legend>File (optional)</legend>
          <TextField
            label="Platform"
            maxLength={64}
            hint="windows-x64, macos-arm64, linux-x64…"
            required={!!file.url}
            error={fields['files.0.platform']}
            value={file.platform}
            onChange={(event) => setFile({ ...file, platform: event.target.value })}
          />
          <TextField
            label="Download URL"
            type="url"
            error={fields['files.0.url']}
            value={file.url}
            onChange={(event) => setFile({ ...file, url: event.target.value })}
          />
          <TextField
            label="SHA-256"
            required={!!file.url}
            {...sha256Rule}
            error={fields['files.0.sha256']}
            value={file.sha256}
            onChange={(event) => setFile({ ...file, sha256: event.target.value })}
          />
          <TextField
            label="Size (bytes)"
            type="number"
            min={0}
            required={!!file.url}
            error={fields['files.0.size']}
            value={file.size}
            onChange={(event) => setFile({ ...file, size: Number(event.target.value) })}
          />
        </fieldset>
        <FormBanner error={create.error} />
        <button type="submit" disabled={create.isPending}>
          Publish
        </button>
      </form>
    </details>
  );
};

const Withdraw = ({ release }: { release: Release }) => {
  const remove = useDeleteRelease();
  return (
    <ConfirmButton
      danger
      mutation={remove}
      variables={release.id}
      question={`Withdraw ${release.version}? Update checks stop offering it.`}
    >
      Withdraw {release.version}
    </ConfirmButton>
  );
};

export const ReleaseList = () => {
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const filters = {
    productId: params.get('productId') ?? '',
    channel: (params.get('channel') ?? '') as Release['channel'] | '',
  };
  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next);
  };
  return (
    <section>
      <h1>Releases</h1>
      {can('releases:write') ? <PublishRelease /> : null}
      <div className="filters">
        <ProductSelect
          none="Every product"
          value={filters.productId}
          onChange={(productId) => setFilter('productId', productId)}
        />
        <Field label="Channel">
          {(props) => (
            <select
              {...props}
              value={filters.channel}
              onChange={(event) => setFilter('channel', event.target.value)}
            >
              <option value="">Every channel</option>
              <option value="stable">stable</option>
              <option value="beta">beta</option>
            </select>
          )}
        </Field>
      </div>
      <PagedList<Release>
        label="Releases"
        queryKey={['releases', 'list', filters]}
        fetchPage={fetchReleases(filters)}
        empty="No release yet."
        columns={[
          { header: 'Version', cell: (release) => <code>{release.version}</code> },
          { header: 'Channel', cell: (release) => release.channel },
          { header: 'Product', cell: (release) => release.productId },
          { header: 'Published', cell: (release) => when(release.publishedAt) },
          {
            header: 'Files',
            cell: (release) =>
              release.files.length === 0
                ? '—'
                : release.files.map((file) => (
                    <a key={file.platform} href={file.url} rel="noreferrer noopener">
                      {file.platform}{' '}
                    </a>
                  )),
          },
          { header: 'Notes', cell: (release) => release.notes ?? '—' },
          ...(can('releases:write')
            ? [{ header: 'Withdraw', cell: (release: Release) => <Withdraw release={release} /> }]
            : []),
        ]}
      />
    </section>
  );
};
