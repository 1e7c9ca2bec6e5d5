// TanStack Query hooks for the portal's calls (/v1/portal/*), named after what they read and change. Every call
// goes through the shared typed client; a change invalidates what it makes stale.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../../../src/api/client';

export type License = Schemas['License'];
export type Machine = Schemas['Machine'];
export type LicenseUser = Schemas['LicenseUser'];
export type CustomerUsage = Schemas['CustomerUsage']['data'][number];
export type OfflineActivation = Schemas['OfflineActivation'];

const customerPath = (customerId: string) => ({ params: { path: { customerId } } });

export const useMyLicenses = () =>
  useQuery({ queryKey: ['me', 'licenses'], queryFn: () => unwrap(api.GET('/v1/portal/licenses')) });

export const useMyDevices = () =>
  useQuery({ queryKey: ['me', 'machines'], queryFn: () => unwrap(api.GET('/v1/portal/machines')) });

export const useDeactivateMyDevice = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (machineId: string) =>
      unwrap(api.DELETE('/v1/portal/machines/{machineId}', { params: { path: { machineId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['me'] }),
  });
};

export const useCustomerLicenses = (customerId: string) =>
  useQuery({
    queryKey: ['customers', customerId, 'licenses'],
    queryFn: () => unwrap(api.GET('/v1/portal/customers/{customerId}/licenses', customerPath(customerId))),
  });

export const useCustomerUsage = (customerId: string) =>
  useQuery({
    queryKey: ['customers', customerId, 'usage'],
    queryFn: () => unwrap(api.GET('/v1/portal/customers/{customerId}/usage', customerPath(customerId))),
  });

export const useCustomerMachines = (customerId: string) =>
  useQuery({
    queryKey: ['customers', customerId, 'machines'],
    queryFn: () => unwrap(api.GET('/v1/portal/customers/{customerId}/machines', customerPath(customerId))),
  });

export const useDeactivateCustomerMachine = (customerId: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (machineId: string) =>
      unwrap(
        api.DELETE('/v1/portal/customers/{customerId}/machines/{machineId}', {
          params: { path: { customerId, machineId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['customers', customerId] }),
  });
};

export const useSeatHolders = (customerId: string, licenseId: string) =>
  useQuery({
    queryKey: ['customers', customerId, 'seats', licenseId],
    queryFn: () =>
      unwrap(
        api.GET('/v1/portal/customers/{customerId}/licenses/{licenseId}/users', {
          params: { path: { customerId, licenseId } },
        }),
      ),
  });

export const useAssignSeat = (customerId: string, licenseId: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (person: { email: string; name?: string }) =>
      unwrap(
        api.POST('/v1/portal/customers/{customerId}/licenses/{licenseId}/users', {
          params: { path: { customerId, licenseId } },
          body: person,
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['customers', customerId] }),
  });
};

export const useUnassignSeat = (customerId: string, licenseId: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) =>
      unwrap(
        api.DELETE('/v1/portal/customers/{customerId}/licenses/{licenseId}/users/{userId}', {
          params: { path: { customerId, licenseId, userId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['customers', customerId] }),
  });
};

export const useOfflineActivation = (customerId: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: string) =>
      unwrap(
        api.POST('/v1/portal/customers/{customerId}/offline-activations', {
          ...customerPath(customerId),
          body: { request },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['customers', customerId] }),
  });
};

export const useAcceptInvitation = () =>
  useMutation({
    mutationFn: (body: { token: string; password: string }) =>
      unwrap(api.POST('/v1/portal/invitations/accept', { body })),
  });
