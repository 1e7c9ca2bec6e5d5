// The dashboard's files, served at `/` from its build (web/dist, CHARTER_DASHBOARD_DIR) through @fastify/static:
// hashed files under /assets/ for a year (`immutable`: a new build has new names), index.html never from a cache
// without asking, and every path that is not the API's (/v1, /docs, /openapi.json, /metrics, /healthz, /readyz)
// answered with index.html so the app's own routes (/licenses/lic_…) load from a bookmark. The app's pages carry a
// strict Content-Security-Policy: scripts, styles and connections from this origin only, nothing inline, no frames.
// The customer portal is a second app of the same build (web/dist/portal): `/portal`, every path under it and
// `/portal/assets/*` are answered the same way from there, so a proxy can expose the portal (with /v1/portal/*)
// and keep the dashboard inside.
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
const apiPrefixes = [
  '/v1/',
  '/v1',
  '/docs',
  '/openapi.json',
  '/metrics',
  '/healthz',
  '/readyz',
  '/assets/',
  '/portal/assets/',
];

/** The portal's own pages: `/portal` and every path under it (its routes live in the fragment). */
const isPortalPath = (url: string): boolean => {
  const pathname = url.split('?')[0] ?? url;
  return pathname === '/portal' || pathname.startsWith('/portal/');
};

const isApiPath = (url: string): boolean => {
  const pathname = url.split('?')[0] ?? url;
  return apiPrefixes.some(
    (prefix) => pathname === prefix || pathname.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`),
  );
};

export interface Dashboard {
  /** Whether the not-found handler should answer this request with the app (a GET or HEAD of a non-API path). */
  serves(request: FastifyRequest): boolean;
  /** Answers the app's index.html, the portal's under /portal (or 404 NOT_FOUND when it is not built). */
  sendApp(request: FastifyRequest, reply: FastifyReply): FastifyReply;
}

const pageHeaders = (reply: FastifyReply) =>
  reply
    .header('content-security-policy', dashboardCsp)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cache-control', 'no-cache');

/**
 * Registers the file serving on `app` (its reply.sendFile reaches the root's not-found handler) and the routes `/`,
 * `/assets/*`, `/portal` and `/portal/assets/*`. Without a build (no index.html in `dir`, or no portal/index.html)
 * the server still runs: the app's page answers 404 NOT_FOUND saying how to build it.
 */
export const registerDashboard = async (app: FastifyInstance, dir: string): Promise<Dashboard> => {
  const apps = {
    dashboard: { name: 'dashboard', index: 'index.html', assets: 'assets' },
    portal: { name: 'customer portal', index: 'portal/index.html', assets: 'portal/assets' },
  } as const;
  type Built = (typeof apps)[keyof typeof apps];
  const built = (which: Built) => existsSync(path.join(dir, which.index));
  const notBuilt = (which: Built) =>
    new AppError('NOT_FOUND', `The ${which.name} is not built: run \`npm run build\` (looked in ${dir})`);
  // preCompressed: the build writes .br and .gz beside each script and style; a browser gets the smallest it accepts.
  if (built(apps.dashboard) || built(apps.portal))
    await app.register(fastifyStatic, { root: dir, serve: false, index: false, preCompressed: true });

  const send = (which: Built, reply: FastifyReply) => {
    if (!built(which)) throw notBuilt(which);
    return pageHeaders(reply).sendFile(which.index, { cacheControl: false });
  };
  const sendAsset = (which: Built, asked: string, reply: FastifyReply) => {
    const file = path.posix.normalize(asked);
    if (!built(which) || file.startsWith('..') || !existsSync(path.join(dir, which.assets, file)))
      throw new AppError('NOT_FOUND', `No asset ${asked.slice(0, 200)}`);
    return reply.header('x-content-type-options', 'nosniff').sendFile(path.posix.join(which.assets, file), {
      immutable: true,
      maxAge: 365 * 24 * 3600 * 1000,
    });
  };
  const page = { config: { auth: publicRoute }, schema: { hide: true } };

  app.get('/', page, async (_request, reply) => send(apps.dashboard, reply));
  app.get<{ Params: { '*': string } }>('/assets/*', page, async (request, reply) =>
    sendAsset(apps.dashboard, request.params['*'], reply),
  );
  app.get('/portal', page, async (_request, reply) => send(apps.portal, reply));
  app.get('/portal/', page, async (_request, reply) => send(apps.portal, reply));
  app.get<{ Params: { '*': string } }>('/portal/assets/*', page, async (request, reply) =>
    sendAsset(apps.portal, request.params['*'], reply),
  );

  return {
    serves: (request) => (request.method === 'GET' || request.method === 'HEAD') && !isApiPath(request.url),
    sendApp: (request, reply) => send(isPortalPath(request.url) ? apps.portal : apps.dashboard, reply),
  };
};
