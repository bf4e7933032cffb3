import { Paper, Stack, Text, Title } from '@mantine/core';
import { ChangePasswordForm } from '@/features/auth/components/change-password-form';
import { useUser } from '@/lib/auth';

export function AccountRoute() {
  const user = useUser();
  return (
    <Stack>
      <Title order={1} size="h2">
        Account
      </Title>
      <Paper withBorder p="md" radius="md" maw={480}>
        <Text>
          <strong>{user.full_name}</strong> ({user.username})
        </Text>
        {user.address && <Text c="dimmed">{user.address}</Text>}
      </Paper>
      <Title order={2} size="h3">
        Change password
      </Title>
      <ChangePasswordForm />
    </Stack>
  );
}
