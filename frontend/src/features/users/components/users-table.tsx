import { ActionIcon, Badge, Button, Group, Modal, Pagination, Stack, Table, TextInput, Title, Tooltip, VisuallyHidden } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { ApiError, describeError } from '@/lib/api-error';
import { pageCount } from '@/lib/pagination';
import type { User } from '@/lib/session';
import { formatDateTime } from '@/lib/time';
import { useDeleteUser } from '../api/delete-user';
import { useUsers } from '../api/get-users';
import { UserForm } from './user-form';

const PER_PAGE = 20;

type Props = {
  /** Extra per-row actions supplied by the app (e.g. a link to the user's devices). */
  rowActions?: (user: User) => React.ReactNode;
};

/** The admin's users table: search, paging, create, edit, delete with confirmation. */
export function UsersTable({ rowActions }: Props) {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const users = useUsers({ page, perPage: PER_PAGE, q });
  const remove = useDeleteUser();

  const closeDelete = () => {
    setDeleting(null);
    remove.reset();
  };
  const deleteError =
    remove.error instanceof ApiError && remove.error.code === 'last_admin'
      ? 'This is the last admin; make another admin first.'
      : remove.error && describeError(remove.error);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Users
        </Title>
        <Button onClick={() => setEditing('new')}>New user</Button>
      </Group>
      <TextInput
        label="Search users"
        placeholder="Username or name"
        value={search}
        onChange={(event) => {
          setSearch(event.currentTarget.value);
          setPage(1);
        }}
        maw={360}
      />
      {users.isPending ? (
        <LoadingState label="Loading users…" />
      ) : users.isError ? (
        <ErrorState error={users.error} onRetry={() => users.refetch()} />
      ) : users.data.items.length === 0 ? (
        <EmptyState title="No users found">{q ? 'Try another search.' : 'Create the first one.'}</EmptyState>
      ) : (
        <>
          <Table.ScrollContainer minWidth={760}>
            <Table striped highlightOnHover aria-label="Users">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Username</Table.Th>
                  <Table.Th>Full name</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {users.data.items.map((user) => (
                  <Table.Tr key={user.id}>
                    <Table.Td>{user.username}</Table.Td>
                    <Table.Td>{user.full_name}</Table.Td>
                    <Table.Td>
                      <Badge color={user.role === 'admin' ? 'grape' : 'blue'} variant="light">
                        {user.role}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{formatDateTime(user.created_at)}</Table.Td>
                    <Table.Td>
                      <Group gap={4} justify="flex-end" wrap="nowrap">
                        {rowActions?.(user)}
                        <Tooltip label="Edit">
                          <ActionIcon variant="subtle" aria-label={`Edit ${user.username}`} onClick={() => setEditing(user)}>
                            ✎
                          </ActionIcon>
                        </Tooltip>
                        <Tooltip label="Delete">
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            aria-label={`Delete ${user.username}`}
                            onClick={() => setDeleting(user)}
                          >
                            ✕
                          </ActionIcon>
                        </Tooltip>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pagination
            total={pageCount(users.data)}
            value={page}
            onChange={setPage}
            getControlProps={(control) => ({ 'aria-label': `${control} page` })}
          />
        </>
      )}
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New user' : 'Edit user'}>
        {editing !== null && (
          <UserForm user={editing === 'new' ? undefined : editing} onDone={() => setEditing(null)} />
        )}
      </Modal>
      <ConfirmDialog
        opened={deleting !== null}
        title="Delete user"
        message={`Delete ${deleting?.username ?? ''}? Their devices become unassigned. This cannot be undone.`}
        confirmLabel="Delete"
        pending={remove.isPending}
        error={deleteError || null}
        onClose={closeDelete}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: closeDelete })}
      />
    </Stack>
  );
}
