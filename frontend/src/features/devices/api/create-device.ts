import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { DeviceSchema } from '../types';

export type CreateDeviceInput = {
  name: string;
  address?: string;
  max_hourly_kwh: number;
  max_power_kw?: number;
  owner_id?: string | null;
};

/** `POST /api/devices` (admin). */
export function createDevice(input: CreateDeviceInput) {
  return api.post('/api/devices', DeviceSchema, { body: input });
}

export function useCreateDevice() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createDevice,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['devices'] }),
  });
}
