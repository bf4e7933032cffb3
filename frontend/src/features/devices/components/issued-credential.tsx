import { ActionIcon, Alert, Button, Code, CopyButton, Group, Paper, Stack, Text, Title, Tooltip } from '@mantine/core';
import { env } from '@/config/env';
import type { IssuedCredential } from '../types';

/** The broker's MQTT port for devices (RabbitMQ's MQTT listener). */
export const MQTT_PORT = 1884;

/** Where devices reach this iems: the API's origin (the page's own unless the build names another). */
export function ingestOrigin(): string {
  try {
    return new URL(env.API_URL || window.location.origin, window.location.href).origin;
  } catch {
    return window.location.origin;
  }
}

function Copy({ value, label }: { value: string; label: string }) {
  return (
    <CopyButton value={value} timeout={1500}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
          <ActionIcon variant="subtle" color={copied ? 'teal' : 'gray'} aria-label={`Copy ${label}`} onClick={copy}>
            {copied ? '✓' : '⧉'}
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  );
}

function Field({ label, value }: { label: string; value: string }) {
  return (
    <Group gap="xs" wrap="nowrap" align="center">
      <Text size="sm" fw={600} miw={170}>
        {label}
      </Text>
      <Code aria-label={label} style={{ wordBreak: 'break-all' }}>
        {value}
      </Code>
      <Copy value={value} label={label} />
    </Group>
  );
}

function Recipe({ title, children, command }: { title: string; children?: React.ReactNode; command: string }) {
  return (
    <Stack gap={4}>
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm" fw={600}>
          {title}
        </Text>
        <Copy value={command} label={`${title} recipe`} />
      </Group>
      {children && <Text size="xs" c="dimmed">{children}</Text>}
      <Code block aria-label={`${title} recipe`} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
        {command}
      </Code>
    </Stack>
  );
}

/**
 * A credential just issued, shown once: MQTT user and password, topic prefix and HTTP bearer token,
 * each with a copy button, and how to set up Tasmota, Shelly and HTTP. Dismissing it removes the
 * secret from the page for good.
 */
export function IssuedCredentialPanel({ credential, onDismiss }: { credential: IssuedCredential; onDismiss: () => void }) {
  const origin = ingestOrigin();
  const host = new URL(origin).hostname;
  const { key_id, secret, token, topic_prefix } = credential;
  const tasmota = `Backlog MqttHost ${host}; MqttPort ${MQTT_PORT}; MqttUser ${key_id}; MqttPassword ${secret}; FullTopic ${topic_prefix}/%prefix%/%topic%/`;
  const shelly = [
    `Server: ${host}:${MQTT_PORT}`,
    `MQTT prefix: ${topic_prefix}`,
    `Username: ${key_id}`,
    `Password: ${secret}`,
  ].join('\n');
  const curl = `curl -X POST ${origin}/api/ingest -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' -d '{"timestamp":1774746600,"measurement_value":12.5}'`;

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="New credential" bg="var(--mantine-color-yellow-light)">
      <Stack gap="sm">
        <Title order={3} size="h5">
          New credential
        </Title>
        <Alert color="orange" p="xs" role="note">
          Copy the password and the token now: the secret is shown only this once and is not shown again. Lost it? Rotate the
          credential to get a new one.
        </Alert>
        <Field label="MQTT username" value={key_id} />
        <Field label="MQTT password" value={secret} />
        <Field label="Topic prefix" value={topic_prefix} />
        <Field label="HTTP bearer token" value={token} />
        <Recipe title="Tasmota" command={tasmota}>
          In the Tasmota console (Consoles → Console): MQTT user and password as above, port {MQTT_PORT}, FullTopic{' '}
          <Code>{`${topic_prefix}/%prefix%/%topic%/`}</Code>.
        </Recipe>
        <Recipe title="Shelly Gen2" command={shelly}>
          Settings → MQTT: enable MQTT and &quot;Generic status update over MQTT&quot;, then set these.
        </Recipe>
        <Recipe title="HTTP" command={curl}>
          One reading by HTTP (the register in kWh, the time in Unix seconds).
        </Recipe>
        <Group justify="flex-end">
          <Button onClick={onDismiss}>I have copied it, hide the secret</Button>
        </Group>
      </Stack>
    </Paper>
  );
}
