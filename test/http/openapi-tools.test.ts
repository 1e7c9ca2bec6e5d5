// /openapi.json is a document the tools of the field can use: Redocly's linter (recommended rules, the
// committed redocly.yaml) finds no error in it, and openapi-typescript turns it into types a small client
// typechecks against — named schemas, operation bodies and error envelopes included.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type TestApp, withApp } from '../support/app.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
// Redocly sends usage data and looks for updates unless told not to; tests talk to nobody.
const quiet = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
}

describe('OpenAPI document and the tools of the field', () => {
  let t: TestApp;
  let dir: string;
  let documentFile: string;
  before(async () => {
    t = await withApp({ dialect: 'sqlite' });
    dir = await mkdtemp(join(tmpdir(), 'charter-openapi-'));
    documentFile = join(dir, 'openapi.json');
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    await writeFile(documentFile, res.body);
  });
  after(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('@redocly/cli lint with the recommended rules reports no error', async () => {
    const { stdout } = await run(
      bin('redocly'),
      ['lint', documentFile, '--config', join(root, 'redocly.yaml'), '--format=json', '--max-problems=1000'],
      { env: quiet, maxBuffer: 64 * 1024 * 1024 },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(stdout) as LintReport;
    const errors = report.problems
      .filter((problem) => problem.severity === 'error')
      .map((problem) => `${problem.ruleId} at ${problem.location[0]?.pointer}: ${problem.message}`);
    assert.deepEqual(errors, []);
    assert.equal(report.totals.errors, 0);
    process.stdout.write(
      `# redocly lint: ${report.totals.errors} errors, ${report.totals.warnings} warnings\n`,
    );
  });

  it('openapi-typescript generates types that a small client typechecks against, and a wrong field fails', async () => {
    const typesFile = join(dir, 'charter-api.d.ts');
    await run(bin('openapi-typescript'), [documentFile, '--output', typesFile], { env: quiet });
    const client = `import type { components, operations, paths } from './charter-api.js';

type License = components['schemas']['License'];
type Machine = components['schemas']['Machine'];
type ValidationResult = components['schemas']['ValidationResult'];
type ErrorEnvelope = components['schemas']['ErrorEnvelope'];
type IssueBody = components['schemas']['LicensesCreateRequest'];
type IssueAnswer = paths['/v1/licenses']['post']['responses'][201]['content']['application/json'];
type Suspended = operations['licenses.suspend']['responses'][200]['content']['application/json'];
type NotFound = operations['licenses.get']['responses'][404]['content']['application/json'];

export const issue = async (base: string, apiKey: string, body: IssueBody): Promise<License | ErrorEnvelope> => {
  const res = await fetch(\`\${base}/v1/licenses\`, {
    method: 'POST',
    headers: { authorization: \`Bearer \${apiKey}\`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.ok ? ((await res.json()) as IssueAnswer) : ((await res.json()) as ErrorEnvelope);
};

export const describeLicense = (license: License, suspended: Suspended): string =>
  \`\${license.id} \${license.status} \${license.policyId} \${suspended.status}\`;
export const describeMachine = (machine: Machine): string => \`\${machine.id} \${machine.fingerprint}\`;
export const isValid = (result: ValidationResult): boolean => result.valid && result.code === 'VALID';
export const codeOf = (error: NotFound): string => \`\${error.code} \${error.status} \${error.requestId}\`;
export const retryable = (error: ErrorEnvelope): boolean => error.retryable;

// The generated types are precise: a field the API does not have is a compile error.
// @ts-expect-error License has no field licenceKey
export const misspelt = (license: License) => license.licenceKey;
`;
    await writeFile(join(dir, 'client.ts'), client);
    const tsc = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--skipLibCheck'];
    await assert.doesNotReject(
      run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), ...tsc, join(dir, 'client.ts')]),
    );
    // And the check is real: the same client with a field the API does not name fails to compile.
    await writeFile(join(dir, 'broken.ts'), client.replace('license.policyId', 'license.policyCode'));
    await assert.rejects(
      run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), ...tsc, join(dir, 'broken.ts')]),
      (error: { stdout?: string }) => /policyCode/.test(error.stdout ?? ''),
    );
  });
});
