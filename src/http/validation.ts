// Zod as Fastify's validator: a failing schema hands the ZodError itself to the error handler,
// which lists every issue with its path as an array (Zod's issue form).
import type { FastifySchemaCompiler } from 'fastify';
import { ZodError, type ZodType } from 'zod';

export const zodValidatorCompiler: FastifySchemaCompiler<ZodType> =
  ({ schema }) =>
  (data) => {
    const result = schema.safeParse(data);
    return result.success ? { value: result.data } : { error: result.error };
  };

export interface ValidationIssue {
  path: (string | number)[];
  message: string;
  code: string;
}

export const toValidationIssues = (error: ZodError): ValidationIssue[] =>
  error.issues.map((issue) => ({
    path: issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment)),
    message: issue.message,
    code: issue.code,
  }));

export const isZodError = (error: unknown): error is ZodError =>
  error instanceof ZodError || (error instanceof Error && error.name === 'ZodError' && 'issues' in error);
