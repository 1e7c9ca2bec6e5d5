// deploy/: the Prometheus alert rules, the example scrape config and the Grafana dashboard ask only for metrics,
// labels and label values Charter's /metrics really serves, and promtool accepts them (when it is installed: CI
// installs it, and under CI=true its absence fails instead of skipping).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { evaluateRule } from '../../src/ops/incidents/engine.js';
import { serverDownRule } from '../../src/ops/incidents/rules/server-down.js';
import { createKey } from '../support/access.js';
import { type TestApp, withApp } from '../support/app.js';
import { clientCalls, managementCalls } from '../support/calls.js';
import { createLicense } from '../support/factories.js';
import { addMonitoredServer, standIn } from '../support/monitor.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const prometheusDir = path.join(root, 'deploy/prometheus');
const rulesFile = path.join(prometheusDir, 'charter-alerts.yml');
const rulesTestFile = path.join(prometheusDir, 'charter-alerts.test.yml');
const configFile = path.join(prometheusDir, 'prometheus.yml');
const dashboardFile = path.join(root, 'deploy/grafana/charter-dashboard.json');

const promtoolVersion = await run('promtool', ['--version']).then(
  ({ stdout, stderr }) => `${stdout}${stderr}`.split('\n')[0] ?? 'promtool',
  () => undefined,
);

/** Whether promtool can run; without it the test skips, or fails under CI=true (CI installs it). */
const havePromtool = (context: TestContext): boolean => {
  if (promtoolVersion) return true;
  assert.notEqual(
    process.env.CI,
    'true',
    'CI=true, but promtool is not on PATH: .ci/run installs the Debian package prometheus',
  );
  context.skip('promtool is not installed (Debian package prometheus): the promtool checks are skipped');
  return false;
};

const promtool = (args: string[]) =>
  run('promtool', args, { cwd: root }).catch((error: { stdout?: string; stderr?: string; message: string }) =>
    assert.fail(`promtool ${args.join(' ')} failed:\n${error.stdout ?? ''}${error.stderr ?? error.message}`),
  );

// --- What deploy/ asks for -------------------------------------------------------------------------------------

/** Each rule's expr in charter-alerts.yml: one line, or a folded block (`expr: >-`) of more-indented lines. */
const ruleExprs = (text: string): string[] => {
  const lines = text.split('\n');
  const exprs: string[] = [];
  lines.forEach((line, index) => {
    const match = /^(\s*)expr:\s*(.*)$/.exec(line);
    if (!match) return;
    const [, indent = '', value = ''] = match;
    if (!/^[>|]-?$/.test(value.trim())) {
      exprs.push(value.trim());
      return;
    }
    const block: string[] = [];
    for (const next of lines.slice(index + 1)) {
      if (next.trim() !== '' && next.search(/\S/) <= indent.length) break;
      block.push(next.trim());
    }
    exprs.push(block.join(' ').trim());
  });
  return exprs;
};

interface Panel {
  title?: string;
  type?: string;
  datasource?: { type?: string; uid?: string };
  targets?: { expr?: string; datasource?: { uid?: string } }[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown }[] };
}

// Grafana fills in the datasource variable's value where a panel names it.
const datasourceUid = `\${datasource}`;

const allPanels = (panels: Panel[]): Panel[] =>
  panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);

/** Grafana's variables stand for any value: a range for $__rate_interval, a regex matching all for the rest. */
const withoutVariables = (expr: string) =>
  expr.replaceAll('$__rate_interval', '5m').replaceAll('"$job"', '"charter"').replace(/\$\w+/g, '.*');

// --- What /metrics serves ---------------------------------------------------------------------------------------

/** Sample name → label → values seen, from Prometheus text. */
type Exposed = Map<string, Map<string, Set<string>>>;

const parseExposition = (text: string): Exposed => {
  const exposed: Exposed = new Map();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!match?.[1]) continue;
    const labels = exposed.get(match[1]) ?? new Map<string, Set<string>>();
    exposed.set(match[1], labels);
    for (const [, name = '', value = ''] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels.set(name, (labels.get(name) ?? new Set()).add(value));
  }
  return exposed;
};

// Labels Prometheus adds to every series of the scrape, and the one series it records itself.
const targetLabels = new Set(['job', 'instance']);
const scrapeSeries = new Map([['up', new Map([...targetLabels].map((label) => [label, new Set<string>()]))]]);
const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** Everything in one PromQL expression that names a metric, a label or a label value /metrics does not serve. */
const unknownNames = (expr: string, exposed: Exposed): string[] => {
  const problems: string[] = [];
  const labelsOf = (metric: string) => scrapeSeries.get(metric) ?? exposed.get(metric);
  const used: string[] = [];
  // Selectors with matchers: the metric's own labels, and values that are literals (no variable, no regex).
  let rest = expr.replace(
    /([a-zA-Z_:][\w:]*)?\s*\{([^}]*)\}/g,
    (_whole, metric: string | undefined, body: string) => {
      if (!metric) {
        problems.push(`a selector without a metric name: {${body}}`);
        return ' ';
      }
      used.push(metric);
      const labels = labelsOf(metric);
      for (const [, label = '', op = '', value = ''] of body.matchAll(
        /(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g,
      )) {
        if (!labels) continue;
        const values = labels.get(label);
        if (!values && !targetLabels.has(label)) problems.push(`${metric} has no label ${label}`);
        if (!values || targetLabels.has(label) || value.includes('$')) continue;
        const literals =
          op.length === 1 || op === '!='
            ? [value]
            : /^[\w/:-]+(\|[\w/:-]+)*$/.test(value)
              ? value.split('|')
              : [];
        for (const literal of literals)
          if (!values.has(literal)) problems.push(`${metric}{${label}="${literal}"} never appears`);
      }
      return ` ${metric} `;
    },
  );
  rest = rest.replace(/\[[^\]]*\]/g, ' ').replace(/"(?:[^"\\]|\\.)*"/g, ' ');
  const grouping: string[] = [];
  rest = rest.replace(
    /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g,
    (_whole, list: string) => {
      grouping.push(
        ...list
          .split(',')
          .map((label) => label.trim())
          .filter(Boolean),
      );
      return ' ';
    },
  );
  for (const [, name = ''] of rest.matchAll(/(?<![\w.$])([a-zA-Z_:][\w:]*)(?!\s*\(|[\w:])/g))
    if (!keywords.has(name.toLowerCase())) used.push(name);
  for (const metric of new Set(used)) if (!labelsOf(metric)) problems.push(`no metric ${metric}`);
  const known = new Set([
    ...targetLabels,
    ...used.flatMap((metric) => [...(labelsOf(metric)?.keys() ?? [])]),
  ]);
  for (const label of grouping) if (!known.has(label)) problems.push(`no metric here has the label ${label}`);
  return problems.map((problem) => `${problem} in: ${expr}`);
};

describe('deploy/: Prometheus rules and the Grafana dashboard', () => {
  const rulesText = readFileSync(rulesFile, 'utf8');
  const exprs = ruleExprs(rulesText);
  const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as Dashboard;
  const panels = allPanels(dashboard.panels);
  const dashboardExprs = panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? ''));
  let exposed: Exposed;
  let dir: string;
  let t: TestApp;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'charter-deploy-'));
    // Everything the dashboard and the rules filter on happens once, so its series and label values exist.
    t = await withApp({ dialect: 'sqlite', config: { CHARTER_LMUTIL: standIn(dir).script } });
    const admin = (await createKey(t, ['admin'])).secret;
    const call = managementCalls(
      () => t,
      () => admin,
    );
    const client = clientCalls(() => t);
    const up = await addMonitoredServer(call, 'ok.example');
    assert.equal((await call('POST', `/v1/monitor/servers/${up.id}/poll`)).statusCode, 200);
    const down = await addMonitoredServer(call, 'down.example');
    for (let poll = 0; poll < 3; poll++)
      assert.equal((await call('POST', `/v1/monitor/servers/${down.id}/poll`)).statusCode, 502);
    await evaluateRule({ db: t.db, clock: t.clock }, serverDownRule(3));
    assert.equal((await call('POST', '/v1/webhook-deliveries/whd_missing/retry')).statusCode, 404);

    const floating = await createLicense(t, admin, { policy: { floating: true, maxMachines: 5 } });
    for (const fingerprint of ['fp-held', 'fp-released'])
      assert.equal((await client('checkout', { licenseKey: floating.key, fingerprint })).statusCode, 201);
    const released = { licenseKey: floating.key, fingerprint: 'fp-released' };
    assert.equal((await client('release', released)).statusCode, 204);
    const machines = await createLicense(t, admin);
    const machine = { licenseKey: machines.key, fingerprint: 'fp-machine' };
    assert.equal((await client('activate', machine)).statusCode, 201);
    assert.equal((await client('deactivate', machine)).statusCode, 204);
    assert.equal((await client('validate', { licenseKey: machines.key })).statusCode, 200);

    const res = await call('GET', '/metrics');
    assert.equal(res.statusCode, 200, res.body);
    exposed = parseExposition(res.body);
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every alert rule has an expr, a for, a severity, a summary and a description', () => {
    const alerts = rulesText.split(/^\s*- alert: /m).slice(1);
    assert.ok(alerts.length >= 4, 'server down, saturation, webhook backlog and 5xx alerts at least');
    assert.equal(exprs.length, alerts.length, 'one expr per alert, each read by this test');
    for (const alert of alerts) {
      const name = alert.split('\n')[0];
      assert.match(alert, /^\s+for: \d+[smh]$/m, `${name}: for`);
      assert.match(alert, /^\s+severity: (critical|warning)$/m, `${name}: severity`);
      assert.match(alert, /^\s+summary: \S/m, `${name}: summary`);
      assert.match(alert, /^\s+description: \S/m, `${name}: description`);
    }
    for (const expected of [
      'CharterDown',
      'LicenseServerDown',
      'LicenseFeatureSaturated',
      'CharterHighErrorRate',
    ])
      assert.match(rulesText, new RegExp(`- alert: ${expected}$`, 'm'));
    assert.match(rulesText, /- alert: CharterWebhookBacklog/);
  });

  it('the alert rules use only metrics, labels and label values /metrics serves (and Prometheus’s up)', () => {
    assert.deepEqual(
      exprs.flatMap((expr) => unknownNames(expr, exposed)),
      [],
    );
  });

  it('the dashboard’s queries and variables use only metrics, labels and label values /metrics serves', () => {
    assert.ok(dashboardExprs.length >= 20, `${dashboardExprs.length} queries`);
    assert.ok(dashboardExprs.every((expr) => expr.trim() !== ''));
    const variables = dashboard.templating.list.filter((variable) => variable.type === 'query');
    const variableQueries = variables.map((variable) => {
      const query = variable.query as { query?: string } | string;
      const text = typeof query === 'string' ? query : (query.query ?? '');
      const match = /^label_values\((.+),\s*(\w+)\)$/.exec(text);
      assert.ok(match?.[1] && match[2], `variable ${variable.name}: ${text}`);
      // The label asked for must be one the selector's metric has.
      return `max by (${match[2]}) (${match[1]})`;
    });
    assert.deepEqual(
      [...dashboardExprs, ...variableQueries].flatMap((expr) => unknownNames(expr, exposed)),
      [],
    );
  });

  it('the dashboard reads from its datasource variable, never a fixed datasource', () => {
    assert.equal(dashboard.uid, 'charter-overview');
    assert.ok(
      dashboard.templating.list.some(
        (variable) => variable.name === 'datasource' && variable.type === 'datasource',
      ),
    );
    for (const panel of panels.filter((panel) => panel.type !== 'row')) {
      assert.equal(panel.datasource?.uid, datasourceUid, `${panel.title}`);
      for (const target of panel.targets ?? [])
        assert.equal(target.datasource?.uid, datasourceUid, `${panel.title}`);
    }
  });

  it('promtool check rules accepts the alert rules', async (context) => {
    if (!havePromtool(context)) return;
    const { stdout } = await promtool(['check', 'rules', rulesFile]);
    assert.match(stdout, new RegExp(`SUCCESS: ${exprs.length} rules found`));
  });

  it('promtool test rules: the alerts fire on synthetic series (5xx share, backlog, down, saturation)', async (context) => {
    if (!havePromtool(context)) return;
    const { stdout } = await promtool(['test', 'rules', rulesTestFile]);
    assert.match(stdout, /SUCCESS/);
  });

  it('promtool check config accepts the example prometheus.yml with its rule file (credential file stood in)', async (context) => {
    if (!havePromtool(context)) return;
    // promtool checks that the credential file exists: a copy next to the rule file points at a stand-in.
    const copy = mkdtempSync(path.join(tmpdir(), 'charter-prometheus-'));
    try {
      const key = path.join(copy, 'charter-metrics.key');
      writeFileSync(key, 'stand-in\n');
      copyFileSync(rulesFile, path.join(copy, 'charter-alerts.yml'));
      const config = readFileSync(configFile, 'utf8');
      assert.match(config, /^\s+credentials_file: \S+$/m);
      writeFileSync(
        path.join(copy, 'prometheus.yml'),
        config.replace(/^(\s+credentials_file:) \S+$/m, `$1 ${key}`),
      );
      const { stdout } = await promtool(['check', 'config', path.join(copy, 'prometheus.yml')]);
      assert.match(stdout, /SUCCESS: 1 rule files found/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('promtool parses every dashboard query (its variables filled in) as PromQL', async (context) => {
    if (!havePromtool(context)) return;
    const file = path.join(dir, 'dashboard-queries.yml');
    const rules = dashboardExprs.map(
      (expr, index) =>
        `      - record: dashboard:query_${index}\n        expr: ${JSON.stringify(withoutVariables(expr))}`,
    );
    writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
    const { stdout } = await promtool(['check', 'rules', file]);
    assert.match(stdout, new RegExp(`SUCCESS: ${dashboardExprs.length} rules found`));
  });
});
