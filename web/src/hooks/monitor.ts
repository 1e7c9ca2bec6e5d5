// TanStack Query hooks of the license monitor: servers, their features and sessions, polls and usage history.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../api/client';

export type MonitoredServer = Schemas['MonitoredServer'];
export type FeatureUsage = Schemas['FeatureUsage'];
export type PollSummary = Schemas['PollSummary'];

export const fetchServers = (page: { limit: number; cursor?: string }) =>
  unwrap(api.GET('/v1/monitor/servers', { params: { query: page } }));

export const useServer = (id: string) =>
  useQuery({
    queryKey: ['monitor', 'servers', id],
    queryFn: () => unwrap(api.GET('/v1/monitor/servers/{id}', { params: { path: { id } } })),
  });

export const fetchFeatures = (serverId: string) => (page: { limit: number; cursor?: string }) =>
  unwrap(api.GET('/v1/monitor/features', { params: { query: { ...page, serverId } } }));

export const fetchSessions = (serverId: string) => (page: { limit: number; cursor?: string }) =>
  unwrap(api.GET('/v1/monitor/sessions', { params: { query: { ...page, serverId } } }));

export const fetchPolls = (serverId: string) => (page: { limit: number; cursor?: string }) =>
  unwrap(api.GET('/v1/monitor/polls', { params: { query: { ...page, serverId } } }));

export const usePoll = (id: string | null) =>
  useQuery({
    queryKey: ['monitor', 'polls', id],
    enabled: id !== null,
    queryFn: () => unwrap(api.GET('/v1/monitor/polls/{id}', { params: { path: { id: id ?? '' } } })),
  });

export const useServerUsage = (serverId: string, feature: string | undefined) =>
  useQuery({
    queryKey: ['monitor', 'usage', serverId, feature ?? null],
    queryFn: () =>
      unwrap(
        api.GET('/v1/monitor/usage', { params: { query: { serverId, ...(feature ? { feature } : {}) } } }),
      ),
  });

export const useAddServer = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['MonitorServersCreateRequest']) =>
      unwrap(api.POST('/v1/monitor/servers', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['monitor'] }),
  });
};

export const usePollNow = (id: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/v1/monitor/servers/{id}/poll', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['monitor'] }),
  });
};

export const fetchDenials = (serverId: string) => (page: { limit: number; cursor?: string }) =>
  unwrap(api.GET('/v1/monitor/denials', { params: { query: { ...page, serverId } } }));

export const useEditServer = (id: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['MonitorServersUpdateRequest']) =>
      unwrap(api.PATCH('/v1/monitor/servers/{id}', { params: { path: { id } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['monitor'] }),
  });
};
