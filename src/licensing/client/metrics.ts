// The Client API's Prometheus metric: validations answered, by result code (api.md "Service": validations by code).
import { Counter, type Registry } from 'prom-client';

export const createValidationMetrics = (registry: Registry) => {
  const validations = new Counter({
    name: 'charter_validations_total',
    help: 'License validations answered, by result code (VALID or the refusal)',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  return { observeValidation: (code: string) => validations.inc({ code }) };
};
