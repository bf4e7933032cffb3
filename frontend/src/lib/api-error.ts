/** The machine-readable error codes of the API (`{"error":{"code","message","field"?}}`). */
export type ApiErrorCode =
  | 'invalid_json'
  | 'validation_failed'
  | 'unauthorized'
  | 'invalid_credentials'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'last_admin'
  | 'rate_limited'
  | 'payload_too_large'
  | 'network'
  | 'bad_response'
  | (string & {});

/** An API failure with the status, the stable code and, for validation errors, the field. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly field?: string;
  /** Seconds to wait before trying again (`Retry-After` of a 429 or 503). */
  readonly retryAfter?: number;

  constructor(status: number, code: ApiErrorCode, message: string, field?: string, retryAfter?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter;
  }
}

/** `Retry-After` in seconds (delta form only, which is what the API sends). */
function retryAfterOf(response: Response): number | undefined {
  const raw = response.headers.get('retry-after');
  const seconds = raw === null ? NaN : Number(raw.trim());
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** "30 seconds", "1 minute", "15 minutes". */
export function waitText(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.ceil(seconds))} second${Math.ceil(seconds) === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** Reads an error body; anything unexpected becomes a generic error with the status. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  try {
    const body: unknown = await response.json();
    const error = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } }).error;
    if (error && typeof error.code === 'string') {
      return new ApiError(
        response.status,
        error.code,
        typeof error.message === 'string' ? error.message : error.code,
        typeof error.field === 'string' ? error.field : undefined,
        retryAfterOf(response),
      );
    }
  } catch {
    // not JSON: fall through to the generic error
  }
  return new ApiError(response.status, `http_${response.status}`, `The server answered ${response.status}.`);
}

/** A short sentence for a person, whatever the error was. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'network':
        return 'Cannot reach the server. Check your connection and try again.';
      case 'forbidden':
        return 'You do not have access to this.';
      case 'not_found':
        return 'Not found.';
      case 'rate_limited':
        return error.retryAfter === undefined
          ? 'Too many attempts. Wait a little and try again.'
          : `Too many attempts. Try again in ${waitText(error.retryAfter)}.`;
      case 'unavailable':
        return error.retryAfter === undefined
          ? 'The server is busy. Try again in a moment.'
          : `The server is busy. Try again in ${waitText(error.retryAfter)}.`;
      default:
        return error.message;
    }
  }
  return error instanceof Error ? error.message : 'Something went wrong.';
}
