// TanStack Query hooks of access: API keys (the secret answered once) and the audit log.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../api/client';

export type ApiKey = Schemas['ApiKey'];

export const fetchApiKeys = (page: { limit: number; cursor?: string }) =>
  unwrap(api.GET('/v1/api-keys', { params: { query: page } }));

export const useCreateApiKey = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['ApiKeysCreateRequest']) => unwrap(api.POST('/v1/api-keys', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api-keys'] }),
  });
};

export const useRevokeApiKey = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/api-keys/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api-keys'] }),
  });
};

export interface AuditFilters {
  action?: string | undefined;
  actorId?: string | undefined;
  targetId?: string | undefined;
}

export const fetchAudit = (filters: AuditFilters) => (page: { limit: number; cursor?: string }) =>
  unwrap(
    api.GET('/v1/audit-log', {
      params: {
        query: {
          ...page,
          ...Object.fromEntries(Object.entries(filters).filter(([, value]) => value)),
        },
      },
    }),
  );

/** An entry as the list answers it. */
export type AuditEntry = Awaited<ReturnType<ReturnType<typeof fetchAudit>>>['data'][number];
