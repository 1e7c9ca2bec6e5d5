// The dashboard's files, served at `/` from its build (web/dist, CHARTER_DASHBOARD_DIR) through @fastify/static:
// hashed files under /assets/ for a year (`immutable`: a new build has new names), index.html never from a cache
// without asking, and every path that is not the API's (/v1, /docs, /openapi.json, /metrics, /healthz, /readyz)
// answered with index.html so the app's own routes (/licenses/lic_…) load from a bookmark. The app's pages carry a
// strict Content-Security-Policy: scripts, styles and connections from this origin only, nothing inline, no frames.
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { publicRoute } from './route-rules.js';

/** The policy of the app's pages. uPlot and React set styles through the CSSOM, which `style-src` does not cover. */
export const dashboardCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths the API keeps, whatever the app's routes: an unknown one answers the JSON 404 envelope. */
const apiPrefixes = ['/v1/', '/v1', '/docs', '/openapi.json', '/metrics', '/healthz', '/readyz', '/assets/'];

const isApiPath = (url: string): boolean => {
  const pathname = url.split('?')[0] ?? url;
  return apiPrefixes.some(
    (prefix) => pathname === prefix || pathname.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`),
  );
};

export interface Dashboard {
  /** Whether the not-found handler should answer this request with the app (a GET or HEAD of a non-API path). */
  serves(request: FastifyRequest): boolean;
  /** Answers index.html (or 404 NOT_FOUND when the dashboard is not built). */
  sendApp(reply: FastifyReply): FastifyReply;
}

const pageHeaders = (reply: FastifyReply) =>
  reply
    .header('content-security-policy', dashboardCsp)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cache-control', 'no-cache');

/**
 * Registers the file serving on `app` (its reply.sendFile reaches the root's not-found handler) and the routes `/`
 * and `/assets/*`. Without a build (no index.html in `dir`) the server still runs: `/` answers 404 NOT_FOUND saying
 * how to build it.
 */
export const registerDashboard = async (app: FastifyInstance, dir: string): Promise<Dashboard> => {
  const built = existsSync(path.join(dir, 'index.html'));
  const notBuilt = () =>
    new AppError('NOT_FOUND', `The dashboard is not built: run \`npm run build\` (looked in ${dir})`);
  // preCompressed: the build writes .br and .gz beside each script and style; a browser gets the smallest it accepts.
  if (built)
    await app.register(fastifyStatic, { root: dir, serve: false, index: false, preCompressed: true });

  const sendApp = (reply: FastifyReply) => {
    if (!built) throw notBuilt();
    return pageHeaders(reply).sendFile('index.html', { cacheControl: false });
  };

  app.get('/', { config: { auth: publicRoute }, schema: { hide: true } }, async (_request, reply) =>
    sendApp(reply),
  );
  app.get<{ Params: { '*': string } }>(
    '/assets/*',
    { config: { auth: publicRoute }, schema: { hide: true } },
    async (request, reply) => {
      const file = path.posix.normalize(request.params['*']);
      if (!built || file.startsWith('..') || !existsSync(path.join(dir, 'assets', file)))
        throw new AppError('NOT_FOUND', `No asset ${request.params['*'].slice(0, 200)}`);
      return reply.header('x-content-type-options', 'nosniff').sendFile(path.posix.join('assets', file), {
        immutable: true,
        maxAge: 365 * 24 * 3600 * 1000,
      });
    },
  );

  return {
    serves: (request) => (request.method === 'GET' || request.method === 'HEAD') && !isApiPath(request.url),
    sendApp,
  };
};
