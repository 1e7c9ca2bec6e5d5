// TanStack Query hooks of a product's features (what its policies grant: on/off, metered, floating seats).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../api/client';

export type Feature = Schemas['Feature'];

export const fetchFeaturesOf = (productId: string) => (page: { limit: number; cursor?: string }) =>
  unwrap(api.GET('/v1/products/{id}/features', { params: { path: { id: productId }, query: page } }));

export const useAddFeature = (productId: string) => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['ProductsFeaturesCreateRequest']) =>
      unwrap(api.POST('/v1/products/{id}/features', { params: { path: { id: productId } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['features', productId] }),
  });
};
