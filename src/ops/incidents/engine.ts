// The incident rules' engine: each rule says what holds now (incidents to have open, and subjects still inside
// their hysteresis band), and the engine opens what is missing — one incident per rule and subject, whatever the
// number of evaluations or processes (the open key is unique) — proposes the rule's action with a new incident,
// and resolves what cleared, unless an operator acknowledged it (then it is theirs to resolve).
import { ruleAuditContext } from '../../access/audit/service.js';
import type { Database } from '../../db/connection.js';
import type { IncidentsTable } from '../../db/schema.js';
import { type Executor, transaction } from '../../db/transaction.js';
import type { Clock } from '../../lib/clock.js';
import { yieldToEventLoop } from '../../lib/yield.js';
import type { IncidentKind } from './schemas.js';
import {
  type IncidentFinding,
  openIncident,
  resolveClearedIncident,
  unresolvedIncidents,
} from './service.js';

export interface RuleContext {
  db: Database;
  clock: Clock;
  nowMs: number;
}

export interface Evaluation {
  /** Subjects whose condition holds: an incident each. */
  open: IncidentFinding[];
  /** Subject ids that do not open an incident now, but whose incident has not cleared either (hysteresis). */
  held?: readonly string[];
}

export interface Rule {
  kind: IncidentKind;
  /** False where an operator resolves the incident (activation_anomaly). */
  autoResolve: boolean;
  evaluate(context: RuleContext): Promise<Evaluation>;
  /** Runs in the transaction that opens a new incident: the rule's event, the action it proposes. */
  opened?(tx: Executor, incident: IncidentsTable, finding: IncidentFinding): Promise<void>;
  /** The timeline's words when the condition cleared. */
  cleared(incident: IncidentsTable): string;
}

export interface RuleOutcome {
  kind: IncidentKind;
  opened: number;
  resolved: number;
  holding: number;
}

/** How many incidents one transaction opens or resolves: short transactions, never one per incident. */
const chunk = 100;

const inChunks = async <T>(items: T[], db: Database, work: (tx: Executor, item: T) => Promise<void>) => {
  for (let start = 0; start < items.length; start += chunk) {
    const part = items.slice(start, start + chunk);
    await transaction(db, async (tx) => {
      for (const item of part) await work(tx, item);
    });
    // Requests go first between chunks (on SQLite a chunk holds the event loop while it runs).
    await yieldToEventLoop();
  }
};

export interface EngineDeps {
  db: Database;
  clock: Clock;
  /** Runs in the transaction that opens an incident (notification mail is queued there). */
  notify?: ((tx: Executor, incident: IncidentsTable) => Promise<unknown>) | undefined;
}

export const evaluateRule = async (deps: EngineDeps, rule: Rule): Promise<RuleOutcome> => {
  const evaluation = await rule.evaluate({ ...deps, nowMs: deps.clock.nowMs() });
  await yieldToEventLoop();
  const audit = ruleAuditContext(rule.kind);
  // What is open already needs no transaction: most minutes, every finding is (openIncident still settles a race).
  const unresolved = await unresolvedIncidents(deps.db.kysely, rule.kind);
  const openSubjects = new Set(unresolved.map((row) => row.subject_id));
  const fresh = evaluation.open.filter((finding) => !openSubjects.has(finding.subject.id));
  let opened = 0;
  await inChunks(fresh, deps.db, async (tx, finding) => {
    const { row, created } = await openIncident(deps, tx, finding, audit);
    if (!created) return;
    opened += 1;
    await rule.opened?.(tx, row, finding);
    await deps.notify?.(tx, row);
  });
  let resolved = 0;
  if (rule.autoResolve) {
    const keep = new Set([
      ...evaluation.open.map((finding) => finding.subject.id),
      ...(evaluation.held ?? []),
    ]);
    const cleared = unresolved.filter((row) => row.status === 'open' && !keep.has(row.subject_id));
    await inChunks(cleared, deps.db, async (tx, row) => {
      await resolveClearedIncident(deps, tx, row, audit, rule.cleared(row));
      resolved += 1;
    });
  }
  return { kind: rule.kind, opened, resolved, holding: evaluation.open.length };
};

/** Evaluates every rule once; a rule that fails is logged and the others still run. */
export const evaluateRules = async (
  deps: EngineDeps & { log: { warn(object: object, message: string): void } },
  rules: readonly Rule[],
): Promise<RuleOutcome[]> => {
  const outcomes: RuleOutcome[] = [];
  for (const rule of rules) {
    try {
      outcomes.push(await evaluateRule(deps, rule));
    } catch (error) {
      deps.log.warn({ err: error, rule: rule.kind }, 'an incident rule failed; the others still ran');
    }
  }
  return outcomes;
};
