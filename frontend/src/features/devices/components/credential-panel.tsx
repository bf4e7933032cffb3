import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { ApiError, describeError } from '@/lib/api-error';
import { formatDateTime } from '@/lib/time';
import { useIssueCredential } from '../api/issue-credential';
import { useRevokeCredential } from '../api/revoke-credential';
import type { Device, IssuedCredential } from '../types';
import { IssuedCredentialPanel } from './issued-credential';

type Confirm = 'rotate' | 'revoke' | null;

function revokeError(error: unknown): string {
  if (error instanceof ApiError && error.code === 'not_found') return 'This device has no credential in force: it was revoked already.';
  return describeError(error);
}

/**
 * The device's credential (admin): its key id and issue date, issuing one, rotating it (the old one
 * stops working) and revoking it. A new credential's secret is shown once, until dismissed.
 */
export function CredentialPanel({ device }: { device: Device }) {
  const issue = useIssueCredential();
  const revoke = useRevokeCredential();
  const [confirm, setConfirm] = useState<Confirm>(null);
  // Kept here rather than read from the mutation, so dismissing removes the secret from the page and from memory.
  const [issued, setIssued] = useState<IssuedCredential | null>(null);
  const current = device.credential;

  const close = () => {
    setConfirm(null);
    revoke.reset();
  };
  const doIssue = () =>
    issue.mutate(device.id, {
      onSuccess: (credential) => {
        setIssued(credential);
        setConfirm(null);
        issue.reset();
      },
    });
  const dismiss = () => {
    setIssued(null);
    issue.reset();
  };

  return (
    <Stack gap="sm" component="section" aria-label="Device credential">
      <Title order={3} size="h5">
        Credential
      </Title>
      <Text size="sm" data-testid="credential-status">
        {current ? (
          <>
            Key id <strong>{current.key_id}</strong>, issued {formatDateTime(current.created_at)}
          </>
        ) : (
          'No credential: the meter cannot report over MQTT or HTTP.'
        )}
      </Text>
      <Group gap="sm">
        {current ? (
          <Button variant="light" onClick={() => setConfirm('rotate')}>
            Rotate credential
          </Button>
        ) : (
          <Button loading={issue.isPending} onClick={doIssue}>
            Issue credential
          </Button>
        )}
        {current && (
          <Button variant="subtle" color="red" onClick={() => setConfirm('revoke')}>
            Revoke
          </Button>
        )}
      </Group>
      {issue.isError && confirm === null && (
        <Text c="red" size="sm" role="alert">
          {describeError(issue.error)}
        </Text>
      )}
      {issued && <IssuedCredentialPanel credential={issued} onDismiss={dismiss} />}
      <ConfirmDialog
        opened={confirm === 'rotate'}
        title="Rotate credential"
        message={`A new credential is issued and the current one${current ? ` (key id ${current.key_id})` : ''} stops working within seconds: the meter cannot report until it is set up with the new password or token.`}
        confirmLabel="Rotate"
        pending={issue.isPending}
        error={issue.isError ? describeError(issue.error) : null}
        onClose={() => {
          setConfirm(null);
          issue.reset();
        }}
        onConfirm={doIssue}
      />
      <ConfirmDialog
        opened={confirm === 'revoke'}
        title="Revoke credential"
        message={`The credential${current ? ` ${current.key_id}` : ''} stops working within seconds: the meter can no longer report over MQTT or HTTP until a new one is issued.`}
        confirmLabel="Revoke"
        pending={revoke.isPending}
        error={revoke.isError ? revokeError(revoke.error) : null}
        onClose={close}
        onConfirm={() => revoke.mutate(device.id, { onSuccess: close })}
      />
    </Stack>
  );
}
