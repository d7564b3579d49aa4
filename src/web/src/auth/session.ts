/** The signed-in person as the portal keeps it (local sign-in: in sessionStorage, per tab). */
export interface Session {
  token: string;
  /** What the header shows: the email, or "Program operator". */
  label: string;
  operator: boolean;
}

const KEY = 'portal.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}
