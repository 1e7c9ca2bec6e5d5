// A license's parts read on its page (leases, users, audit trail) and the changes made there (transfer, extend).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';

export const fetchLeasesOf = (licenseId: string) => (page: { limit: number; cursor?: string }) =>
  unwrap(api.GET('/v1/leases', { params: { query: { ...page, licenseId, state: 'all' } } }));

/** A license's users: one answer (bounded by the policy's maxUsers), whatever page is asked for. */
export const fetchUsersOf = (id: string) => (_page: { limit: number; cursor?: string }) =>
  unwrap(api.GET('/v1/licenses/{id}/users', { params: { path: { id } } }));

export const fetchAuditOf = (targetId: string) => (page: { limit: number; cursor?: string }) =>
  unwrap(api.GET('/v1/audit-log', { params: { query: { ...page, targetId } } }));

export const useTransferLicense = (id: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (customerId: string) =>
      unwrap(api.POST('/v1/licenses/{id}/transfer', { params: { path: { id } }, body: { customerId } })),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['licenses'] }),
        queryClient.invalidateQueries({ queryKey: ['audit'] }),
      ]),
  });
};

export const useExtendLicense = (id: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (expiresAt: string) =>
      unwrap(api.PATCH('/v1/licenses/{id}', { params: { path: { id } }, body: { expiresAt } })),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['licenses'] }),
        queryClient.invalidateQueries({ queryKey: ['audit'] }),
      ]),
  });
};
