import { Divider, Paper, Stack, Text, Title } from '@mantine/core';
import type { Device } from '../types';
import { CredentialPanel } from './credential-panel';
import { LastReported } from './last-reported';
import { MeterSettingsForm } from './meter-settings-form';

/**
 * How a real meter reports (MQTT/HTTP ingestion): when it last did and by which path (everyone); its
 * format, time zone and credential (`manage`: admins only).
 */
export function MeterConnection({ device, manage }: { device: Device; manage: boolean }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Meter connection">
      <Stack gap="sm">
        <Title order={2} size="h4">
          Meter connection
        </Title>
        <LastReported device={device} />
        {manage && (
          <>
            <Divider />
            <MeterSettingsForm device={device} />
            <Divider />
            <CredentialPanel device={device} />
            <Text size="xs" c="dimmed">
              Meters publish over MQTT (port 1884) under their topic prefix, or post to /api/ingest with the bearer token.
            </Text>
          </>
        )}
      </Stack>
    </Paper>
  );
}
