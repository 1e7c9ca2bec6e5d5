// TanStack Query hooks of webhooks: the endpoints events are sent to (the signing secret answered once), their
// delivery log with its attempts, a retry of one delivery, and a test event sent on request.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../api/client';

export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type WebhookEventType = Exclude<Schemas['WebhookEndpointsCreateRequest']['events'][number], '*'>;

export const fetchWebhookEndpoints = (page: { limit: number; cursor?: string }) =>
  unwrap(api.GET('/v1/webhook-endpoints', { params: { query: page } }));

export const useWebhookEndpoint = (id: string) =>
  useQuery({
    queryKey: ['webhooks', id],
    queryFn: () => unwrap(api.GET('/v1/webhook-endpoints/{id}', { params: { path: { id } } })),
  });

export const fetchDeliveriesOf =
  (endpointId: string, filters: { status?: WebhookDelivery['status'] | undefined }) =>
  (page: { limit: number; cursor?: string }) =>
    unwrap(
      api.GET('/v1/webhook-endpoints/{id}/deliveries', {
        params: {
          path: { id: endpointId },
          query: { ...page, ...(filters.status ? { status: filters.status } : {}) },
        },
      }),
    );

export const useCreateWebhookEndpoint = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['WebhookEndpointsCreateRequest']) =>
      unwrap(api.POST('/v1/webhook-endpoints', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['webhooks'] }),
  });
};

export const useUpdateWebhookEndpoint = (id: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['WebhookEndpointsUpdateRequest']) =>
      unwrap(api.PATCH('/v1/webhook-endpoints/{id}', { params: { path: { id } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['webhooks'] }),
  });
};

export const useDeleteWebhookEndpoint = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE('/v1/webhook-endpoints/{id}', { params: { path: { id } } })),
    onSuccess: (_data, id) => {
      // The deleted endpoint is not read again (it would answer NOT_FOUND); the list is.
      queryClient.removeQueries({ queryKey: ['webhooks', id] });
      return queryClient.invalidateQueries({ queryKey: ['webhooks', 'list'] });
    },
  });
};

/** Sends a signed webhook.test event now; nothing is queued, so the delivery log does not change. */
export const useTestWebhookEndpoint = (id: string) =>
  useMutation({
    mutationFn: () => unwrap(api.POST('/v1/webhook-endpoints/{id}/test', { params: { path: { id } } })),
  });

/**
 * One attempt of a delivery now. A refused attempt answers 502 NOTIFICATION_FAILED, and is in the log all the
 * same: the log is read again either way.
 */
export const useRetryDelivery = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST('/v1/webhook-deliveries/{id}/retry', { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['webhooks'] }),
  });
};
