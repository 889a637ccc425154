import { api, ApiError } from './api';

export interface Profile {
  email: string;
  role: 'customer' | 'dealer' | 'admin';
  name: { family: string; given: string };
  company: { name: string; department: string } | null;
  dealerId?: number;
  staffEmails?: string[];
}

let current: Promise<Profile | null> | null = null;

/**
 * Who is signed in (GET /api/me; the session cookie is HttpOnly, so the portal asks), asked once and kept until a
 * login, a logout or a 401 says it changed; null when nobody is.
 */
export function signedInUser(): Promise<Profile | null> {
  current ??= api<Profile>('GET', '/api/me').catch((error: unknown) => {
    current = null;
    if (error instanceof ApiError && error.status === 401) {
      return null;
    }
    throw error;
  });
  return current;
}

/** The session began or ended: the next signedInUser() asks again. */
export function sessionChanged(): void {
  current = null;
}

/** ログアウト: ends the session (one already gone is fine) and shows the login screen. */
export async function logout(navigate: (path: string) => void): Promise<void> {
  try {
    await api('DELETE', '/api/sessions/current');
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) {
      throw error;
    }
  }
  sessionChanged();
  navigate('/login');
}
