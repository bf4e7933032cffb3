import { Button, Center, Stack, Text, Title } from '@mantine/core';
import { isRouteErrorResponse, useRouteError } from 'react-router';

/** Shown instead of a blank page when a page fails to render or its code fails to load. */
export function RouteError() {
  const error = useRouteError();
  const detail = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : error instanceof Error ? error.message : '';
  return (
    <Center mih="60vh" p="md">
      <Stack align="center" role="alert">
        <Title order={1} size="h2">
          Something went wrong
        </Title>
        {detail && <Text c="dimmed">{detail}</Text>}
        <Button onClick={() => window.location.reload()}>Reload the page</Button>
      </Stack>
    </Center>
  );
}
