import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { DeviceSchema } from '../types';

export type AssignDeviceInput = { deviceId: string; userId: string | null };

/** `PUT /api/devices/{id}/owner` (admin): `user_id` null unassigns. */
export function assignDevice({ deviceId, userId }: AssignDeviceInput) {
  return api.put(`/api/devices/${encodeURIComponent(deviceId)}/owner`, DeviceSchema, { body: { user_id: userId } });
}

export function useAssignDevice() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: assignDevice,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['devices'] }),
  });
}
