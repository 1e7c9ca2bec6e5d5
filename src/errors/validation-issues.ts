// The issues of a VALIDATION_ERROR's details (errors.md): every failing field with its path as an array (Zod's
// issue form), at most maxIssues of them, each message cut short, so the details stay small whatever the input.
import { ZodError } from 'zod';

export interface ValidationIssue {
  path: (string | number)[];
  message: string;
  code: string;
}

export const maxIssues = 100;
const maxMessageLength = 300;
/** A message or path cut to a length that keeps an answer small. */
export const cutText = (text: string) =>
  text.length > maxMessageLength ? `${text.slice(0, maxMessageLength - 1)}…` : text;

export const toValidationIssues = (error: ZodError): ValidationIssue[] =>
  error.issues.slice(0, maxIssues).map((issue) => ({
    path: issue.path.slice(0, 32).map((segment) => (typeof segment === 'symbol' ? String(segment) : segment)),
    message: cutText(issue.message),
    code: issue.code,
  }));

export const isZodError = (error: unknown): error is ZodError =>
  error instanceof ZodError || (error instanceof Error && error.name === 'ZodError' && 'issues' in error);
