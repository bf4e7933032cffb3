import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { pageSchema } from '@/lib/pagination';
import { DeviceSchema } from '../types';

export type DevicesFilter = { page?: number; perPage?: number; q?: string; ownerId?: string; unassigned?: boolean };

const DevicesPageSchema = pageSchema(DeviceSchema);

/** `GET /api/devices`: all devices for admins, only their own for clients. */
export function getDevices({ page = 1, perPage = 20, q, ownerId, unassigned }: DevicesFilter) {
  return api.get('/api/devices', DevicesPageSchema, {
    params: { page, per_page: perPage, q, owner_id: ownerId, unassigned: unassigned ? 'true' : undefined },
  });
}

export function getDevicesQueryOptions(filter: DevicesFilter = {}) {
  return queryOptions({
    queryKey: ['devices', 'list', filter],
    queryFn: () => getDevices(filter),
    placeholderData: keepPreviousData,
  });
}

export function useDevices(filter: DevicesFilter = {}) {
  return useQuery(getDevicesQueryOptions(filter));
}
