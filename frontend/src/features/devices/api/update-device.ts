import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { DeviceSchema, type MeterFormat } from '../types';

export type UpdateDeviceInput = {
  id: string;
  changes: {
    name?: string;
    address?: string | null;
    max_hourly_kwh?: number;
    max_power_kw?: number | null;
    /** null: detect from the MQTT topic, else iems' own JSON. */
    meter_format?: MeterFormat | null;
    /** An IANA zone, or null for none. */
    time_zone?: string | null;
    /** 1–10, or null for the default. */
    unusual_sensitivity?: number | null;
    /** 1–24, or null for the default. */
    unusual_sustain_hours?: number | null;
  };
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
