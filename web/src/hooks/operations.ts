// TanStack Query hooks of the operations layer: actions under four eyes and incidents.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../api/client';

export type Action = Schemas['Action'];
export type Incident = Schemas['Incident'];

export const fetchActions =
  (filters: { status?: Action['status'] | undefined }) => (page: { limit: number; cursor?: string }) =>
    unwrap(
      api.GET('/v1/actions', {
        params: { query: { ...page, ...(filters.status ? { status: filters.status } : {}) } },
      }),
    );

export const useDecideAction = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      id,
      decision,
      reason,
    }: {
      id: string;
      decision: 'approve' | 'reject';
      reason?: string;
    }) =>
      decision === 'approve'
        ? unwrap(api.POST('/v1/actions/{id}/approve', { params: { path: { id } } }))
        : unwrap(
            api.POST('/v1/actions/{id}/reject', { params: { path: { id } }, body: { reason: reason ?? '' } }),
          ),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['actions'] }),
        queryClient.invalidateQueries({ queryKey: ['licenses'] }),
      ]),
  });
};

export const fetchIncidents =
  (filters: { status?: Incident['status'] | undefined }) => (page: { limit: number; cursor?: string }) =>
    unwrap(
      api.GET('/v1/incidents', {
        params: { query: { ...page, ...(filters.status ? { status: filters.status } : {}) } },
      }),
    );

export const useIncident = (id: string) =>
  useQuery({
    queryKey: ['incidents', id],
    queryFn: () => unwrap(api.GET('/v1/incidents/{id}', { params: { path: { id } } })),
  });

export const useIncidentChange = (id: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (
      change:
        | { kind: 'acknowledge' }
        | { kind: 'resolve'; note?: string }
        | { kind: 'note'; message: string },
    ) => {
      const path = { params: { path: { id } } } as const;
      switch (change.kind) {
        case 'acknowledge':
          return unwrap(api.POST('/v1/incidents/{id}/acknowledge', path));
        case 'resolve':
          return unwrap(
            api.POST('/v1/incidents/{id}/resolve', {
              ...path,
              body: change.note ? { note: change.note } : {},
            }),
          );
        case 'note':
          return unwrap(api.POST('/v1/incidents/{id}/notes', { ...path, body: { message: change.message } }));
      }
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['incidents'] }),
  });
};
