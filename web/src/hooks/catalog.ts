// TanStack Query hooks of the sales side and the seats: orders, releases, the device blocklist, floating leases
// and their denials, and license users. Every call goes through the typed client; a change invalidates what it
// makes stale.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../api/client';

export type OrderSummary = Schemas['OrderSummary'];
export type Release = Schemas['Release'];
export type BlocklistEntry = Schemas['BlocklistEntry'];
export type Lease = Schemas['Lease'];
export type Denial = Schemas['Denial'];
export type LicenseUser = Schemas['LicenseUser'];

type PageQuery = { limit: number; cursor?: string };

/** The filters actually set: an empty box is no filter. */
const set = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined && entry !== ''),
  ) as Partial<T>;

export const fetchOrders = (filters: { customerId?: string; externalId?: string }) => (page: PageQuery) =>
  unwrap(api.GET('/v1/orders', { params: { query: { ...set(filters), ...page } } }));

export const useOrder = (id: string) =>
  useQuery({
    queryKey: ['orders', id],
    queryFn: () => unwrap(api.GET('/v1/orders/{id}', { params: { path: { id } } })),
  });

/**
 * POST /v1/orders requires an Idempotency-Key: one per order the operator fills in (`idempotencyKey`), so a
 * second click or a retry after a lost answer replays the first answer instead of selling twice.
 */
export const useCreateOrder = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      body,
      idempotencyKey,
    }: {
      body: Schemas['OrdersCreateRequest'];
      idempotencyKey: string;
    }) => unwrap(api.POST('/v1/orders', { body, params: { header: { 'Idempotency-Key': idempotencyKey } } })),
    onSuccess: () =>
      Promise.all(
        ['orders', 'licenses', 'customers', 'audit'].map((key) =>
          queryClient.invalidateQueries({ queryKey: [key] }),
        ),
      ),
  });
};

export const fetchReleases =
  (filters: { productId?: string; channel?: Release['channel'] | '' }) => (page: PageQuery) =>
    unwrap(
      api.GET('/v1/releases', {
        params: {
          query: { ...(set(filters) as { productId?: string; channel?: Release['channel'] }), ...page },
        },
      }),
    );

export const useCreateRelease = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['ReleasesCreateRequest']) => unwrap(api.POST('/v1/releases', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['releases'] }),
  });
};

export const useDeleteRelease = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/releases/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['releases'] }),
  });
};

export const fetchBlocklist = (filters: { fingerprint?: string }) => (page: PageQuery) =>
  unwrap(api.GET('/v1/blocklist', { params: { query: { ...set(filters), ...page } } }));

export const useBlockDevice = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['BlocklistCreateRequest']) => unwrap(api.POST('/v1/blocklist', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['blocklist'] }),
  });
};

export const useUnblockDevice = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/blocklist/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['blocklist'] }),
  });
};

export const fetchLiveLeases = (filters: { licenseId?: string; feature?: string }) => (page: PageQuery) =>
  unwrap(api.GET('/v1/leases', { params: { query: { ...set(filters), state: 'live', ...page } } }));

export const fetchDenials = (filters: { licenseId?: string }) => (page: PageQuery) =>
  unwrap(api.GET('/v1/leases/denials', { params: { query: { ...set(filters), ...page } } }));

/** Frees a held seat at once (DELETE /v1/leases/{id}); the client's next heartbeat learns it lost the seat. */
export const useForceRelease = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/leases/{id}', { params: { path: { id } } })),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['leases'] }),
        queryClient.invalidateQueries({ queryKey: ['monitor', 'features', 'charter'] }),
      ]),
  });
};

export const fetchLicenseUsers = (filters: { email?: string }) => (page: PageQuery) =>
  unwrap(api.GET('/v1/users', { params: { query: { ...set(filters), ...page } } }));

export const useCreateLicenseUser = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['UsersCreateRequest']) => unwrap(api.POST('/v1/users', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['license-users'] }),
  });
};

export const useRenameLicenseUser = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, name }: { id: string; name: string }) =>
      unwrap(api.PATCH('/v1/users/{id}', { params: { path: { id } }, body: { name } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['license-users'] }),
  });
};

export const useDeleteLicenseUser = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/users/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['license-users'] }),
  });
};
