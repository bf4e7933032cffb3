import { Alert } from '@mantine/core';

/** The form-level error (one not tied to a field), announced to screen readers. */
export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <Alert color="red" role="alert" p="xs">
      {message}
    </Alert>
  );
}
