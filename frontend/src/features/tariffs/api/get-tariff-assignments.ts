import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { TariffAssignmentsPageSchema, type AssignmentTarget } from '../types';

/** `GET /api/tariff-assignments?client_id=|device_id=`: the history, newest first, and the one in force now. */
export function getTariffAssignments(target: AssignmentTarget, page = 1) {
  const params = 'clientId' in target ? { client_id: target.clientId } : { device_id: target.deviceId };
  return api.get('/api/tariff-assignments', TariffAssignmentsPageSchema, { params: { ...params, page, per_page: 20 } });
}

export const tariffAssignmentsKey = (target: AssignmentTarget) =>
  ['tariff-assignments', 'clientId' in target ? `client:${target.clientId}` : `device:${target.deviceId}`] as const;

export function getTariffAssignmentsQueryOptions(target: AssignmentTarget, page = 1) {
  return queryOptions({
    queryKey: [...tariffAssignmentsKey(target), page],
    queryFn: () => getTariffAssignments(target, page),
  });
}

export function useTariffAssignments(target: AssignmentTarget, page = 1) {
  return useQuery(getTariffAssignmentsQueryOptions(target, page));
}
