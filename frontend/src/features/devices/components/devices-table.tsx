import { Button, Checkbox, Group, Menu, Modal, Pagination, Stack, Table, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { describeError } from '@/lib/api-error';
import { pageCount } from '@/lib/pagination';
import { formatKwh } from '@/lib/time';
import { useDeleteDevice } from '../api/delete-device';
import { useDevices } from '../api/get-devices';
import type { Device } from '../types';
import { AssignOwnerForm } from './assign-owner-form';
import { DeviceForm } from './device-form';
import { LastReported } from './last-reported';
import { OwnerName } from './owner-name';

const PER_PAGE = 20;

type Dialog = { kind: 'new' } | { kind: 'edit' | 'assign' | 'delete'; device: Device } | null;

type Props = {
  /** Only this owner's devices (from the URL), if set. */
  ownerId?: string;
  /** Renders the device's name as a link to its charts. */
  renderName?: (device: Device) => React.ReactNode;
};

/** The admin's devices table: search, unassigned filter, paging, create/edit/delete, assignment, when each last reported. */
export function DevicesTable({ ownerId, renderName }: Props) {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [unassigned, setUnassigned] = useState(false);
  const [page, setPage] = useState(1);
  const [dialog, setDialog] = useState<Dialog>(null);
  const devices = useDevices({ page, perPage: PER_PAGE, q, ownerId, unassigned: unassigned && !ownerId });
  const remove = useDeleteDevice();
  const close = () => {
    setDialog(null);
    remove.reset();
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Devices
        </Title>
        <Button onClick={() => setDialog({ kind: 'new' })}>New device</Button>
      </Group>
      <Group align="flex-end">
        <TextInput
          label="Search devices"
          placeholder="Name or address"
          value={search}
          onChange={(event) => {
            setSearch(event.currentTarget.value);
            setPage(1);
          }}
          maw={360}
        />
        {!ownerId && (
          <Checkbox
            label="Only unassigned"
            checked={unassigned}
            onChange={(event) => {
              setUnassigned(event.currentTarget.checked);
              setPage(1);
            }}
            mb={8}
          />
        )}
      </Group>
      {devices.isPending ? (
        <LoadingState label="Loading devices…" />
      ) : devices.isError ? (
        <ErrorState error={devices.error} onRetry={() => devices.refetch()} />
      ) : devices.data.items.length === 0 ? (
        <EmptyState title="No devices found">{q || unassigned ? 'Try another filter.' : 'Create the first one.'}</EmptyState>
      ) : (
        <>
          <Table.ScrollContainer minWidth={760}>
            <Table striped highlightOnHover aria-label="Devices">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Address</Table.Th>
                  <Table.Th>Hourly limit</Table.Th>
                  <Table.Th>Owner</Table.Th>
                  <Table.Th>Last reported</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {devices.data.items.map((device) => (
                  <Table.Tr key={device.id}>
                    <Table.Td>{renderName ? renderName(device) : device.name}</Table.Td>
                    <Table.Td>{device.address ?? '—'}</Table.Td>
                    <Table.Td>{formatKwh(device.max_hourly_kwh)}</Table.Td>
                    <Table.Td>
                      <OwnerName ownerId={device.owner_id} />
                    </Table.Td>
                    <Table.Td>
                      <LastReported device={device} compact />
                    </Table.Td>
                    <Table.Td>
                      <Menu position="bottom-end">
                        <Menu.Target>
                          <Button variant="subtle" size="xs" aria-label={`Actions for ${device.name}`}>
                            Actions
                          </Button>
                        </Menu.Target>
                        <Menu.Dropdown>
                          <Menu.Item onClick={() => setDialog({ kind: 'edit', device })}>Edit</Menu.Item>
                          <Menu.Item onClick={() => setDialog({ kind: 'assign', device })}>Assign owner</Menu.Item>
                          <Menu.Item color="red" onClick={() => setDialog({ kind: 'delete', device })}>
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
          <Pagination total={pageCount(devices.data)} value={page} onChange={setPage} />
        </>
      )}
      <Modal
        opened={dialog?.kind === 'new' || dialog?.kind === 'edit'}
        onClose={close}
        title={dialog?.kind === 'new' ? 'New device' : 'Edit device'}
      >
        {dialog?.kind === 'new' && <DeviceForm onDone={close} />}
        {dialog?.kind === 'edit' && <DeviceForm device={dialog.device} onDone={close} />}
      </Modal>
      <Modal opened={dialog?.kind === 'assign'} onClose={close} title="Assign owner">
        {dialog?.kind === 'assign' && <AssignOwnerForm device={dialog.device} onDone={close} />}
      </Modal>
      <ConfirmDialog
        opened={dialog?.kind === 'delete'}
        title="Delete device"
        message={`Delete ${dialog?.kind === 'delete' ? dialog.device.name : ''} and its consumption history? This cannot be undone.`}
        confirmLabel="Delete"
        pending={remove.isPending}
        error={remove.error ? describeError(remove.error) : null}
        onClose={close}
        onConfirm={() => dialog?.kind === 'delete' && remove.mutate(dialog.device.id, { onSuccess: close })}
      />
    </Stack>
  );
}
