import { Badge, Group, Text } from '@mantine/core';
import { formatDateTime, formatRelative } from '@/lib/time';
import { REPORT_PATHS, type Device } from '../types';

const pathName = (via: string) => REPORT_PATHS[via] ?? via.toUpperCase();

/**
 * When a device last sent a stored reading: relative and absolute time and the path (AMQP, MQTT,
 * HTTP), or "never". `compact` is the devices table's cell.
 */
export function LastReported({ device, compact = false }: { device: Device; compact?: boolean }) {
  const at = device.last_reported_at;
  const via = device.last_reported_via;
  if (!at) {
    return (
      <Text size="sm" c="dimmed" data-testid="last-reported">
        {compact ? 'never' : 'Last reported: never (no reading has arrived yet)'}
      </Text>
    );
  }
  const absolute = formatDateTime(at);
  if (compact) {
    return (
      <Group gap={6} wrap="nowrap" data-testid="last-reported">
        <Text size="sm" title={absolute}>
          {formatRelative(at)}
        </Text>
        {via && (
          <Badge size="xs" variant="light">
            {pathName(via)}
          </Badge>
        )}
      </Group>
    );
  }
  return (
    <Text size="sm" data-testid="last-reported">
      Last reported: <strong>{formatRelative(at)}</strong> ({absolute}){via && <> via {pathName(via)}</>}
    </Text>
  );
}
