// TanStack Query hooks of the server's administration: signing keys (rotate, retire), OAuth clients (the secret
// answered once, revoke) and operators (create, change role, disable or enable).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../api/client';

export type SigningKey = Schemas['SigningKey'];
export type OAuthClient = Schemas['OAuthClient'];
export type Operator = Schemas['Operator'];
export type Role = Operator['role'];

/** Every signing key in one answer (the route does not page); each as a row keyed by its kid. */
export const fetchSigningKeys = async (_page: { limit: number; cursor?: string }) => {
  const result = await unwrap(api.GET('/v1/signing-keys'));
  return { data: result.data.map((key) => ({ ...key, id: key.kid })), nextCursor: null };
};

const useAdminMutation = <A, R>(resource: string, mutationFn: (argument: A) => Promise<R>) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: [resource] }),
        queryClient.invalidateQueries({ queryKey: ['audit'] }),
      ]),
  });
};

export const useRotateSigningKey = () =>
  useAdminMutation('signing-keys', () => unwrap(api.POST('/v1/signing-keys')));

export const useRetireSigningKey = () =>
  useAdminMutation('signing-keys', (kid: string) =>
    unwrap(api.POST('/v1/signing-keys/{kid}/retire', { params: { path: { kid } } })),
  );

export const fetchOauthClients = (page: { limit: number; cursor?: string }) =>
  unwrap(api.GET('/v1/oauth-clients', { params: { query: page } }));

export const useCreateOauthClient = () =>
  useAdminMutation('oauth-clients', (body: Schemas['OauthClientsCreateRequest']) =>
    unwrap(api.POST('/v1/oauth-clients', { body })),
  );

export const useRevokeOauthClient = () =>
  useAdminMutation('oauth-clients', (id: string) =>
    unwrap(api.DELETE('/v1/oauth-clients/{id}', { params: { path: { id } } })),
  );

export const fetchOperators = (page: { limit: number; cursor?: string }) =>
  unwrap(api.GET('/v1/operators', { params: { query: page } }));

export const useCreateOperator = () =>
  useAdminMutation('operators', (body: Schemas['OperatorsCreateRequest']) =>
    unwrap(api.POST('/v1/operators', { body })),
  );

export const useUpdateOperator = () =>
  useAdminMutation('operators', ({ id, ...body }: { id: string } & Schemas['OperatorsUpdateRequest']) =>
    unwrap(api.PATCH('/v1/operators/{id}', { params: { path: { id } }, body })),
  );
