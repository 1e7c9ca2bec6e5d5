// TanStack Query hooks named after the resources the pages read and change. Every call goes through the typed
// client; a change invalidates what it makes stale.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../api/client';

export type License = Schemas['License'];
export type Product = Schemas['Product'];
export type Policy = Schemas['Policy'];
export type Customer = Schemas['Customer'];
export type Machine = Schemas['Machine'];

export interface LicenseFilters {
  status?: License['status'] | undefined;
  productId?: string | undefined;
  policyId?: string | undefined;
  customerId?: string | undefined;
  key?: string | undefined;
  keyPrefix?: string | undefined;
}

const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined && entry !== '')) as T;

export const fetchLicenses = (filters: LicenseFilters) => (page: { limit: number; cursor?: string }) =>
  unwrap(api.GET('/v1/licenses', { params: { query: defined({ ...filters, ...page }) } }));

export const useLicense = (id: string) =>
  useQuery({
    queryKey: ['licenses', id],
    queryFn: () => unwrap(api.GET('/v1/licenses/{id}', { params: { path: { id } } })),
  });

export type LicenseAction = 'suspend' | 'reinstate' | 'revoke' | 'renew';

export const useLicenseAction = (id: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (action: LicenseAction) => {
      const path = { params: { path: { id } } } as const;
      switch (action) {
        case 'suspend':
          return unwrap(api.POST('/v1/licenses/{id}/suspend', path));
        case 'reinstate':
          return unwrap(api.POST('/v1/licenses/{id}/reinstate', path));
        case 'revoke':
          return unwrap(api.POST('/v1/licenses/{id}/revoke', path));
        case 'renew':
          return unwrap(api.POST('/v1/licenses/{id}/renew', path));
      }
    },
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['licenses'] }),
        queryClient.invalidateQueries({ queryKey: ['audit'] }),
      ]),
  });
};

export const useCreateLicense = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['LicensesCreateRequest']) => unwrap(api.POST('/v1/licenses', { body })),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['licenses'] }),
        queryClient.invalidateQueries({ queryKey: ['audit'] }),
      ]),
  });
};

export const useProposeAction = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['ActionsCreateRequest']) => unwrap(api.POST('/v1/actions', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['actions'] }),
  });
};

export const fetchMachines =
  (filters: { licenseId?: string }) => (page: { limit: number; cursor?: string }) =>
    unwrap(api.GET('/v1/machines', { params: { query: defined({ ...filters, ...page }) } }));

export const fetchProducts = (page: { limit: number; cursor?: string }) =>
  unwrap(api.GET('/v1/products', { params: { query: page } }));

export const useProduct = (id: string) =>
  useQuery({
    queryKey: ['products', id],
    queryFn: () => unwrap(api.GET('/v1/products/{id}', { params: { path: { id } } })),
  });

export const useCreateProduct = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['ProductsCreateRequest']) => unwrap(api.POST('/v1/products', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['products'] }),
  });
};

export const fetchPolicies =
  (filters: { productId?: string }) => (page: { limit: number; cursor?: string }) =>
    unwrap(api.GET('/v1/policies', { params: { query: defined({ ...filters, ...page }) } }));

export const useCreatePolicy = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['PoliciesCreateRequest']) => unwrap(api.POST('/v1/policies', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['policies'] }),
  });
};

export const fetchCustomers = (page: { limit: number; cursor?: string }) =>
  unwrap(api.GET('/v1/customers', { params: { query: page } }));

export const useCreateCustomer = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['CustomersCreateRequest']) => unwrap(api.POST('/v1/customers', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['customers'] }),
  });
};

/** Products for a select: the first 100 (a form names one; a vendor with more types its code). */
export const useProductChoices = () =>
  useQuery({ queryKey: ['products', 'choices'], queryFn: () => fetchProducts({ limit: 100 }) });

export const usePolicyChoices = (productId: string | undefined) =>
  useQuery({
    queryKey: ['policies', 'choices', productId ?? null],
    queryFn: () => fetchPolicies(productId ? { productId } : {})({ limit: 100 }),
  });

export const useDeactivateMachine = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/machines/{id}', { params: { path: { id } } })),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['machines'] }),
        queryClient.invalidateQueries({ queryKey: ['licenses'] }),
      ]),
  });
};
