import { Button } from '@mantine/core';
import { Link } from 'react-router';
import { UsersTable } from '@/features/users/components/users-table';

export function AdminUsersRoute() {
  return (
    <UsersTable
      rowActions={(user) =>
        user.role === 'client' ? (
          <>
            <Button component={Link} to={`/admin/users/${encodeURIComponent(user.id)}`} size="xs" variant="subtle" aria-label={`Tariff and budget of ${user.username}`}>
              Tariff
            </Button>
            <Button component={Link} to={`/admin/devices?owner_id=${encodeURIComponent(user.id)}`} size="xs" variant="subtle" aria-label={`Devices of ${user.username}`}>
              Devices
            </Button>
          </>
        ) : null
      }
    />
  );
}
