import { ActionIcon, Badge, Button, Group, NativeSelect, Paper, Stack, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { useState } from 'react';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { ApiError, describeError } from '@/lib/api-error';
import { formatDate, formatDateTime, isoDate, localMidnightRfc3339, parseIsoDate } from '@/lib/time';
import { useCreateTariffAssignment } from '../api/create-tariff-assignment';
import { useDeleteTariffAssignment } from '../api/delete-tariff-assignment';
import { useTariffAssignments } from '../api/get-tariff-assignments';
import { useTariffs } from '../api/get-tariffs';
import type { AssignmentTarget, TariffAssignment } from '../types';

const CLIENTS_TARIFF = 'client-tariff';

const tariffLabel = (assignment: TariffAssignment) =>
  assignment.tariff_id ? (assignment.tariff_name ?? assignment.tariff_id.slice(0, 8)) : "Client's tariff";

/** Why an assignment was refused, in words (the API's rule: later ones start at the current hour or later). */
function assignError(error: unknown): string {
  if (error instanceof ApiError && (error.status === 409 || error.code === 'validation_failed')) {
    return `${error.message} The first tariff may start in the past; a change starts at the current hour or later.`;
  }
  return describeError(error);
}

/**
 * The tariff of a client, or a device's override (admin): the one in force, the history, and assigning
 * another from a date (local midnight in the browser's zone).
 */
export function TariffAssignmentPanel({ target, title = 'Tariff' }: { target: AssignmentTarget; title?: string }) {
  const isDevice = 'deviceId' in target;
  const assignments = useTariffAssignments(target);
  const tariffs = useTariffs({ perPage: 100 });
  const assign = useCreateTariffAssignment();
  const remove = useDeleteTariffAssignment();
  const [tariffId, setTariffId] = useState('');
  const [date, setDate] = useState(() => isoDate(new Date()));
  // Which changes still lie ahead (and may be cancelled), as of opening the panel.
  const [now] = useState(() => Date.now());
  const from = localMidnightRfc3339(date);

  const options = [
    { value: '', label: 'Choose a tariff', disabled: true },
    ...(isDevice ? [{ value: CLIENTS_TARIFF, label: "Client's tariff (no override)" }] : []),
    ...(tariffs.data?.items ?? []).map((tariff) => ({ value: tariff.id, label: `${tariff.name} (${tariff.currency})` })),
  ];

  const submit = () => {
    if (!tariffId || !from) return;
    assign.mutate(
      { target, tariffId: tariffId === CLIENTS_TARIFF ? null : tariffId, from },
      { onSuccess: () => setTariffId('') },
    );
  };

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={title}>
      <Stack gap="sm">
        <Title order={2} size="h4">
          {title}
        </Title>
        {assignments.isPending ? (
          <LoadingState label="Loading the tariff…" />
        ) : assignments.isError ? (
          <ErrorState error={assignments.error} onRetry={() => assignments.refetch()} />
        ) : (
          <>
            <Text data-testid="current-tariff">
              {assignments.data.current ? (
                <>
                  Now: <strong>{tariffLabel(assignments.data.current)}</strong> since {formatDate(assignments.data.current.from)}
                </>
              ) : isDevice ? (
                "Now: the client's tariff (no override)"
              ) : (
                'No tariff assigned: consumption is shown in kWh only.'
              )}
            </Text>
            {assignments.data.items.length > 0 && (
              <Table aria-label={`${title} history`} striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>From</Table.Th>
                    <Table.Th>Tariff</Table.Th>
                    <Table.Th>Set</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {assignments.data.items.map((assignment) => (
                    <Table.Tr key={assignment.id}>
                      <Table.Td>{formatDateTime(assignment.from)}</Table.Td>
                      <Table.Td>
                        {tariffLabel(assignment)}{' '}
                        {assignment.id === assignments.data.current?.id && (
                          <Badge size="xs" variant="light">
                            current
                          </Badge>
                        )}
                      </Table.Td>
                      <Table.Td>{formatDateTime(assignment.created_at)}</Table.Td>
                      <Table.Td>
                        {Date.parse(assignment.from) > now && (
                          <Tooltip label="Cancel this future change">
                            <ActionIcon
                              variant="subtle"
                              color="red"
                              aria-label={`Cancel the change of ${formatDate(assignment.from)}`}
                              loading={remove.isPending && remove.variables === assignment.id}
                              onClick={() => remove.mutate(assignment.id)}
                            >
                              ✕
                            </ActionIcon>
                          </Tooltip>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
            {remove.isError && (
              <Text c="red" size="sm" role="alert">
                {describeError(remove.error)}
              </Text>
            )}
          </>
        )}
        <Group align="flex-end" wrap="wrap">
          <NativeSelect
            label="Tariff to assign"
            data={options}
            value={tariffId}
            onChange={(event) => setTariffId(event.currentTarget.value)}
            miw={220}
          />
          <TextInput
            type="date"
            label="From date"
            description="Midnight in your time zone"
            value={date}
            onChange={(event) => parseIsoDate(event.currentTarget.value) && setDate(event.currentTarget.value)}
          />
          <Button onClick={submit} disabled={!tariffId || !from} loading={assign.isPending}>
            Assign tariff
          </Button>
        </Group>
        {tariffs.isError && (
          <Text c="red" size="sm" role="alert">
            {describeError(tariffs.error)}
          </Text>
        )}
        {assign.isError && (
          <Text c="red" size="sm" role="alert">
            {assignError(assign.error)}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
