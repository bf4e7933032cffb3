import { Badge, Group } from '@mantine/core';

/** The badge that marks an alert about consumption unlike the device's usual week. */
export function UnusualBadge() {
  return (
    <Badge color="orange" variant="light" size="sm">
      Unusual
    </Badge>
  );
}

/** A live toast's title for an unusual alert: the badge and what happened. */
export function UnusualToastTitle() {
  return (
    <Group gap={6} component="span">
      <UnusualBadge />
      Unusual consumption
    </Group>
  );
}
