import { useMutation } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { PriceUploadResultSchema } from '../types';

/** A CSV file's text (`start,price`) or a pasted JSON array (`[{"start","price"}]`). */
export type PriceUpload = { tariffId: string; format: 'csv' | 'json'; content: string };

/** `PUT /api/tariffs/{id}/prices` (admin, dynamic tariffs): stores the slots, answers `{stored, replaced}`. */
export function uploadTariffPrices({ tariffId, format, content }: PriceUpload) {
  return api.put(`/api/tariffs/${encodeURIComponent(tariffId)}/prices`, PriceUploadResultSchema, {
    text: { content, type: format === 'csv' ? 'text/csv' : 'application/json' },
  });
}

export function useUploadTariffPrices() {
  return useMutation({ mutationFn: uploadTariffPrices });
}
