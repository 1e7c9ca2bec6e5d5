// The Client API's Prometheus metrics: validations answered, by result code (api.md "Service": validations by
// code), and how the validation cache (validation-cache.ts) fares.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ValidationCache } from './validation-cache.js';

export const createValidationMetrics = (registry: Registry) => {
  const validations = new Counter({
    name: 'charter_validations_total',
    help: 'License validations answered, by result code (VALID or the refusal)',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  return { observeValidation: (code: string) => validations.inc({ code }) };
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
