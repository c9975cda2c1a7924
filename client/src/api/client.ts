import type { ErrorBody } from './types';

/** An error the user can read: the server's `message`, or ours for network trouble. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  /** The server's `error.details` (e.g. `head_sha` and `markdown` of a 409 `branch_moved`). */
  readonly details: Record<string, unknown> | undefined;

  constructor(status: number, code: string, message: string, field?: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.details = details;
  }
}

let csrfToken = '';

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export function getCsrfToken(): string {
  return csrfToken;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

function fallbackMessage(status: number): string {
  if (status === 401) return 'You are signed out. Sign in and try again.';
  if (status === 403) return 'You are not allowed to do that.';
  if (status === 404) return 'Not found. It may have been moved or removed.';
  if (status === 429) return 'Too many requests. Wait a moment and try again.';
  if (status >= 500) return `The server had a problem (HTTP ${status}). Try again in a moment.`;
  return `The request failed (HTTP ${status}). Try again.`;
}

async function send(method: Method, path: string, body: unknown): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    headers['X-CSRF-Token'] = csrfToken;
    init.body = JSON.stringify(body ?? {});
  }
  try {
    return await fetch(path, init);
  } catch {
    throw new ApiError(
      0,
      'network',
      'Could not reach the server. Check your connection and try again.',
    );
  }
}

async function parse<T>(response: Response): Promise<T> {
  let data: unknown = null;
  const text = await response.text().catch(() => '');
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  // A 2xx can still say "not done" (e.g. 202 for a merge the git host scheduled).
  if (!response.ok || isErrorBody(data)) {
    if (isErrorBody(data)) {
      const field = data.error.details?.field;
      throw new ApiError(
        response.status,
        data.error.code,
        data.error.message,
        typeof field === 'string' ? field : undefined,
        data.error.details,
      );
    }
    throw new ApiError(response.status, 'http_error', fallbackMessage(response.status));
  }
  if (data === null) {
    throw new ApiError(response.status, 'bad_response', 'The server sent an unreadable answer. Try again.');
  }
  return data as T;
}

let refreshToken: (() => Promise<void>) | null = null;

/** Lets the session module refresh the CSRF token when the server rejects a stale one. */
export function setCsrfRefresher(fn: () => Promise<void>): void {
  refreshToken = fn;
}

function isCsrfFailure(error: ApiError): boolean {
  return (error.status === 403 || error.status === 400) && /csrf/i.test(error.code);
}

export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  try {
    return await parse<T>(await send(method, path, body));
  } catch (error) {
    // A stale CSRF token (e.g. the session was renewed in another tab): refresh once, retry.
    if (error instanceof ApiError && method !== 'GET' && refreshToken && isCsrfFailure(error)) {
      await refreshToken();
      return parse<T>(await send(method, path, body));
    }
    throw error;
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Try again.';
}
