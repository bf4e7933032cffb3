import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';
import { ApiError, describeError } from './api-error';

/**
 * Puts an API error on the form: a `validation_failed` with a known field goes under that
 * field, a `conflict` under `conflictField` (e.g. the username), anything else on the form.
 */
export function applyApiError<T extends FieldValues>(
  error: unknown,
  setError: UseFormSetError<T>,
  fields: readonly Path<T>[],
  conflictField?: Path<T>,
): void {
  if (error instanceof ApiError) {
    const field = error.field as Path<T> | undefined;
    if (error.code === 'validation_failed' && field && fields.includes(field)) {
      setError(field, { type: 'server', message: error.message });
      return;
    }
    if (error.code === 'conflict' && conflictField) {
      setError(conflictField, { type: 'server', message: error.message || 'Already taken.' });
      return;
    }
  }
  setError('root.server' as Path<T>, { type: 'server', message: describeError(error) });
}
