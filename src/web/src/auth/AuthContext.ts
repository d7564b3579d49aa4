import { createContext, useContext } from 'react';

/** What every page knows about sign-in. */
export interface AuthState {
  /** `local` (the local host's sign-in page) or `entra` (Microsoft Entra ID through MSAL). */
  mode: 'local' | 'entra';
  signedIn: boolean;
  /** Email or "operator"; empty when signed out. */
  label: string;
  /** Set when the last request answered 401: the page asks to sign in again. */
  expired: boolean;
  /** Local mode: sign in as a local user (object id) or as the operator. */
  signInLocal?: (
    who: { objectId: string; label: string } | { operator: true; label: string },
  ) => Promise<void>;
  /** Entra mode: redirect to Microsoft Entra ID. */
  signInEntra?: () => Promise<void>;
  signOut: () => void;
}

export const AuthContext = createContext<AuthState | null>(null);

export function useAuth(): AuthState {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
