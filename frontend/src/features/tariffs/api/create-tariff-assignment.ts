import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { TariffAssignmentSchema, type AssignmentTarget } from '../types';

export type CreateAssignmentInput = {
  target: AssignmentTarget;
  /** null only for a device: back to the client's tariff. */
  tariffId: string | null;
  /** RFC 3339 instant the tariff applies from. */
  from: string;
};

/** `POST /api/tariff-assignments` (admin). */
export function createTariffAssignment({ target, tariffId, from }: CreateAssignmentInput) {
  const who = 'clientId' in target ? { client_id: target.clientId } : { device_id: target.deviceId };
  return api.post('/api/tariff-assignments', TariffAssignmentSchema, { body: { ...who, tariff_id: tariffId, from } });
}

export function useCreateTariffAssignment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createTariffAssignment,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['tariff-assignments'] });
      // An assigned tariff can no longer be edited or deleted.
      void queryClient.invalidateQueries({ queryKey: ['tariffs'] });
      // Costs change from the assignment's start.
      void queryClient.invalidateQueries({ queryKey: ['consumption'] });
    },
  });
}
