import { Center, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** The centred card that sign-in and registration share. */
export function AuthPage({ title, children, footer }: { title: string; children: ReactNode; footer: ReactNode }) {
  return (
    <Center mih="100dvh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={420}>
        <Stack>
          <div>
            <Text c="blue" fw={700} size="sm">
              iems · energy dashboard
            </Text>
            <Title order={1} size="h2">
              {title}
            </Title>
          </div>
          {children}
          <Text size="sm" c="dimmed">
            {footer}
          </Text>
        </Stack>
      </Paper>
    </Center>
  );
}

