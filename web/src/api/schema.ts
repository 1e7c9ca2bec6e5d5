// The API's types, generated from the server's /openapi.json by `npm run generate:sdk` into the SDK (one generated
// file serves the SDK's Management client and this app; a test fails when it is stale).
export type { components, operations, paths } from '../../../packages/sdk/src/management-api';
