import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { pageSchema } from '@/lib/pagination';
import { MeterEventSchema } from '../types';

const MeterEventsPageSchema = pageSchema(MeterEventSchema);

/** `GET /api/devices/{id}/events`: the device's meter resets and gaps, newest first. */
export function getDeviceEvents(id: string, page = 1, perPage = 10) {
  return api.get(`/api/devices/${encodeURIComponent(id)}/events`, MeterEventsPageSchema, {
    params: { page, per_page: perPage },
  });
}

export function getDeviceEventsQueryOptions(id: string, page = 1) {
  return queryOptions({
    queryKey: ['devices', 'events', id, page],
    queryFn: () => getDeviceEvents(id, page),
    placeholderData: keepPreviousData,
  });
}

export function useDeviceEvents(id: string, page = 1) {
  return useQuery(getDeviceEventsQueryOptions(id, page));
}
