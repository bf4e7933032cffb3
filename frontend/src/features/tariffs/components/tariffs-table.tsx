import { Badge, Button, Group, Menu, Modal, Pagination, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { ApiError, describeError } from '@/lib/api-error';
import { pageCount } from '@/lib/pagination';
import { formatDateTime } from '@/lib/time';
import { useDeleteTariff } from '../api/delete-tariff';
import { useTariffs } from '../api/get-tariffs';
import type { Tariff } from '../types';
import { PriceUpload } from './price-upload';
import { RenameTariffForm } from './rename-tariff-form';
import { TariffForm } from './tariff-form';
import { kindLabel, priceSummary } from './tariff-summary';

const PER_PAGE = 20;

type Dialog = { kind: 'new' } | { kind: 'rename' | 'prices' | 'delete'; tariff: Tariff } | null;

/** A delete refused because the tariff priced someone's consumption, said plainly. */
export function deleteTariffError(error: unknown): string | null {
  if (!error) return null;
  if (error instanceof ApiError && error.status === 409) {
    return 'This tariff has been assigned, so it stays to keep past bills unchanged. Rename it, or assign another tariff from a date.';
  }
  return describeError(error);
}

/** The admin's tariffs: paging, create (three kinds), rename, price upload for dynamic tariffs, delete. */
export function TariffsTable() {
  const [page, setPage] = useState(1);
  const [dialog, setDialog] = useState<Dialog>(null);
  const tariffs = useTariffs({ page, perPage: PER_PAGE });
  const remove = useDeleteTariff();
  const close = () => {
    setDialog(null);
    remove.reset();
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Tariffs
        </Title>
        <Button onClick={() => setDialog({ kind: 'new' })}>New tariff</Button>
      </Group>
      <Text size="sm" c="dimmed">
        A tariff cannot change once assigned (past bills stay as they were): to change prices, create a new tariff and assign it from a
        date.
      </Text>
      {tariffs.isPending ? (
        <LoadingState label="Loading tariffs…" />
      ) : tariffs.isError ? (
        <ErrorState error={tariffs.error} onRetry={() => tariffs.refetch()} />
      ) : tariffs.data.items.length === 0 ? (
        <EmptyState title="No tariffs yet">Create one, then assign it to a client on their page.</EmptyState>
      ) : (
        <>
          <Table.ScrollContainer minWidth={720}>
            <Table striped highlightOnHover aria-label="Tariffs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Prices</Table.Th>
                  <Table.Th>Standing charge per day</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {tariffs.data.items.map((tariff) => (
                  <Table.Tr key={tariff.id}>
                    <Table.Td>{tariff.name}</Table.Td>
                    <Table.Td>{kindLabel(tariff)}</Table.Td>
                    <Table.Td>
                      {priceSummary(tariff)}
                      <Text size="xs" c="dimmed">
                        {tariff.tz}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      {tariff.standing_charge_per_day ?? '0'} {tariff.currency}
                    </Table.Td>
                    <Table.Td>
                      {tariff.assigned ? (
                        <Badge variant="light">Assigned</Badge>
                      ) : (
                        <Badge variant="light" color="gray">
                          Not assigned
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>{formatDateTime(tariff.created_at)}</Table.Td>
                    <Table.Td>
                      <Menu position="bottom-end">
                        <Menu.Target>
                          <Button variant="subtle" size="xs" aria-label={`Actions for ${tariff.name}`}>
                            Actions
                          </Button>
                        </Menu.Target>
                        <Menu.Dropdown>
                          <Menu.Item onClick={() => setDialog({ kind: 'rename', tariff })}>Rename</Menu.Item>
                          {tariff.kind === 'dynamic' && (
                            <Menu.Item onClick={() => setDialog({ kind: 'prices', tariff })}>Upload prices</Menu.Item>
                          )}
                          <Menu.Item color="red" onClick={() => setDialog({ kind: 'delete', tariff })}>
                            Delete
                          </Menu.Item>
                        </Menu.Dropdown>
                      </Menu>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pagination total={pageCount(tariffs.data)} value={page} onChange={setPage} />
        </>
      )}
      <Modal opened={dialog?.kind === 'new'} onClose={close} title="New tariff" size="xl">
        {dialog?.kind === 'new' && <TariffForm onDone={close} />}
      </Modal>
      <Modal opened={dialog?.kind === 'rename'} onClose={close} title="Rename tariff">
        {dialog?.kind === 'rename' && <RenameTariffForm tariff={dialog.tariff} onDone={close} />}
      </Modal>
      <Modal opened={dialog?.kind === 'prices'} onClose={close} title="Upload prices" size="lg">
        {dialog?.kind === 'prices' && <PriceUpload tariff={dialog.tariff} onDone={close} />}
      </Modal>
      <ConfirmDialog
        opened={dialog?.kind === 'delete'}
        title="Delete tariff"
        message={`Delete ${dialog?.kind === 'delete' ? dialog.tariff.name : ''}? Only a tariff that was never assigned can be deleted.`}
        confirmLabel="Delete"
        pending={remove.isPending}
        error={deleteTariffError(remove.error)}
        onClose={close}
        onConfirm={() => dialog?.kind === 'delete' && remove.mutate(dialog.tariff.id, { onSuccess: close })}
      />
    </Stack>
  );
}
