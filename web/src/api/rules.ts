// What the API accepts, checked by the browser before a form is sent (the API checks again and its field errors are
// shown in place). Patterns are compiled with the `v` flag by browsers: a literal `-` in a class is escaped.

/** Product, policy and feature codes: 2–64 of a-z, 0-9 and -. */
export const codeRule = { pattern: '[a-z0-9\\-]{2,64}', title: '2–64 of a-z, 0-9 and -' } as const;

/** A semantic version (2.4.1, 3.0.0-beta.2); the API keeps no build metadata (+build.5). */
export const versionRule = {
  pattern:
    '(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-(0|[1-9][0-9]*|[0-9]*[A-Za-z\\-][0-9A-Za-z\\-]*)(\\.(0|[1-9][0-9]*|[0-9]*[A-Za-z\\-][0-9A-Za-z\\-]*))*)?',
  title: 'a semantic version such as 2.4.1 or 3.0.0-beta.2',
  maxLength: 100,
} as const;

/** A SHA-256 digest in lowercase hex. */
export const sha256Rule = { pattern: '[0-9a-f]{64}', title: '64 lowercase hexadecimal digits' } as const;

export const emailMax = 320;
export const nameMax = 200;

/** Passwords of operators and license users: 12–1024 characters. */
export const passwordMin = 12;
export const passwordMax = 1024;
