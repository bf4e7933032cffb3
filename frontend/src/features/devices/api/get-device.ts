import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { DeviceSchema } from '../types';

/** `GET /api/devices/{id}`. */
export function getDevice(id: string) {
  return api.get(`/api/devices/${encodeURIComponent(id)}`, DeviceSchema);
}

export function getDeviceQueryOptions(id: string) {
  return queryOptions({ queryKey: ['devices', 'one', id], queryFn: () => getDevice(id) });
}

export function useDevice(id: string) {
  return useQuery(getDeviceQueryOptions(id));
}
