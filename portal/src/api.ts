import { language, t } from './i18n';

/** An RFC 9457 problem as the API sends it; status 0 when the server could not be reached. */
export interface Problem {
  status: number;
  title: string;
  errors?: Record<string, string[]>;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.title);
  }

  get status(): number {
    return this.problem.status;
  }
}

/** An answer with the version the API sent for it (ETag), to send back in If-Match with a change made from it. */
export interface Versioned<T> {
  value: T;
  version: string | null;
}

/**
 * Calls the API with the session cookie (HttpOnly: the portal never handles the token) and the chosen language,
 * so that validation messages come back in the language on screen. Non-2xx answers throw ApiError.
 * With ifMatch, the change applies only while the data is still at that version (412 otherwise).
 */
export async function api<T = void>(method: string, path: string, body?: unknown, ifMatch?: string): Promise<T> {
  return (await send<T>(method, path, body, ifMatch)).value;
}

/** GET, keeping the answer's version (ETag). */
export async function apiVersioned<T>(path: string): Promise<Versioned<T>> {
  return send<T>('GET', path);
}

async function send<T>(method: string, path: string, body?: unknown, ifMatch?: string): Promise<Versioned<T>> {
  const headers: Record<string, string> = { 'Accept-Language': language(), Accept: 'application/json' };
  if (body !== undefined) {
    // A file (the operator's inventory CSV) goes as its bytes: the API reads UTF-8 and Shift_JIS itself.
    headers['Content-Type'] = body instanceof Blob ? 'text/csv' : 'application/json';
  }
  if (ifMatch) {
    headers['If-Match'] = ifMatch;
  }

  let response: Response;
  try {
    response = await fetch(path, {
      method, headers, credentials: 'same-origin', body: body === undefined || body instanceof Blob ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError({ status: 0, title: t('networkError') });
  }

  const text = await response.text();
  const json: unknown = text.length > 0 && (response.headers.get('Content-Type') ?? '').includes('json') ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const problem = (json ?? {}) as Partial<Problem>;
    throw new ApiError({ status: response.status, title: problem.title ?? t('unexpectedError'), errors: problem.errors });
  }

  return { value: json as T, version: response.headers.get('ETag') };
}
