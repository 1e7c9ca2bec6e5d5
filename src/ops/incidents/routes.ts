// /v1/incidents (incidents:read / incidents:write): list and read incidents, acknowledge, resolve, add notes.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callerOf } from '../../access/caller.js';
import { requireScope } from '../../access/scopes.js';
import { pageSchema } from '../../http/pagination.js';
import {
  incidentIdParams,
  incidentListQuery,
  incidentNoteSchema,
  incidentSchema,
  resolveIncidentSchema,
} from './schemas.js';
import {
  acknowledgeIncident,
  addIncidentNote,
  getIncident,
  type IncidentDeps,
  incidentPage,
  resolveIncident,
} from './service.js';

export const incidentRoutes =
  (deps: IncidentDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Incidents'];

    routes.get(
      '/v1/incidents',
      {
        config: { auth: requireScope('incidents:read'), errors: ['INVALID_QUERY'] },
        schema: {
          tags,
          summary: 'List incidents, newest first (filters: status, kind, severity, subject)',
          querystring: incidentListQuery,
          response: { 200: pageSchema(incidentSchema) },
        },
      },
      async (request) => incidentPage(deps, request.query),
    );

    routes.get(
      '/v1/incidents/:id',
      {
        config: { auth: requireScope('incidents:read'), errors: ['NOT_FOUND'] },
        schema: {
          tags,
          summary: 'One incident with its timeline',
          params: incidentIdParams,
          response: { 200: incidentSchema },
        },
      },
      async (request) => getIncident(deps, request.params.id),
    );

    routes.post(
      '/v1/incidents/:id/acknowledge',
      {
        config: { auth: requireScope('incidents:write'), errors: ['NOT_FOUND', 'INVALID_TRANSITION'] },
        schema: {
          tags,
          summary: 'Acknowledge an open incident: someone owns it, and it no longer resolves itself',
          params: incidentIdParams,
          response: { 200: incidentSchema },
        },
      },
      async (request) => acknowledgeIncident(deps, callerOf(request), request.params.id),
    );

    routes.post(
      '/v1/incidents/:id/resolve',
      {
        config: {
          auth: requireScope('incidents:write'),
          errors: ['NOT_FOUND', 'INVALID_TRANSITION', 'VALIDATION_ERROR'],
        },
        schema: {
          tags,
          summary: 'Resolve an open or acknowledged incident, with an optional note',
          params: incidentIdParams,
          body: resolveIncidentSchema,
          response: { 200: incidentSchema },
        },
      },
      async (request) =>
        resolveIncident(deps, callerOf(request), request.params.id, request.body?.note ?? undefined),
    );

    routes.post(
      '/v1/incidents/:id/notes',
      {
        config: { auth: requireScope('incidents:write'), errors: ['NOT_FOUND', 'VALIDATION_ERROR'] },
        schema: {
          operationId: 'incidents.addNote',
          tags,
          summary: 'Add a note to the timeline: 201 with the incident',
          params: incidentIdParams,
          body: incidentNoteSchema,
          response: { 201: incidentSchema },
        },
      },
      async (request, reply) => {
        const incident = await addIncidentNote(
          deps,
          callerOf(request),
          request.params.id,
          request.body.message,
        );
        return reply.code(201).header('location', `/v1/incidents/${incident.id}`).send(incident);
      },
    );
  };
