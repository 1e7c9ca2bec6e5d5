// The Client API's Prometheus metrics: validations answered, by result code (api.md "Service": validations by
// code), and how the validation cache (validation-cache.ts) fares.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ValidationCache } from './validation-cache.js';

export const createValidationMetrics = (registry: Registry) => {
  // Counted in a plain map on the hot path and handed to the counter when /metrics is scraped (a labelled inc
  // hashes its labels on every call).
  const counts = new Map<string, number>();
  new Counter({
    name: 'charter_validations_total',
    help: 'License validations answered, by result code (VALID or the refusal)',
    labelNames: ['code'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [code, count] of counts) this.inc({ code }, count);
    },
  });
  return { observeValidation: (code: string) => counts.set(code, (counts.get(code) ?? 0) + 1) };
};

/** The cache's counts, read when /metrics is scraped. */
export const registerValidationCacheMetrics = (registry: Registry, cache: ValidationCache) => {
  new Counter({
    name: 'charter_validation_cache_hits_total',
    help: 'Validations answered from the state this process remembered',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(cache.stats().hits);
    },
  });
  new Counter({
    name: 'charter_validation_cache_misses_total',
    help: 'Validations that read the database (nothing remembered, or forgotten by a change)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(cache.stats().misses);
    },
  });
  new Gauge({
    name: 'charter_validation_cache_entries',
    help: 'Keys (and key and fingerprint pairs) whose validation state this process remembers',
    registers: [registry],
    collect() {
      this.set(cache.stats().entries);
    },
  });
};
