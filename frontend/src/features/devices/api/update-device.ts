import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { DeviceSchema } from '../types';

export type UpdateDeviceInput = {
  id: string;
  changes: { name?: string; address?: string | null; max_hourly_kwh?: number; max_power_kw?: number | null };
};

/** `PATCH /api/devices/{id}` (admin). */
export function updateDevice({ id, changes }: UpdateDeviceInput) {
  return api.patch(`/api/devices/${encodeURIComponent(id)}`, DeviceSchema, { body: changes });
}

export function useUpdateDevice() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateDevice,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['devices'] }),
  });
}
