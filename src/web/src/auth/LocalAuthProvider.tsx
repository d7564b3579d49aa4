/**
 * Local sign-in (the local host only): a token for a local user from `POST /.local/token`, kept in
 * sessionStorage. The deployed build never contains this module (vite.config.ts `__LOCAL_SIGN_IN__`).
 */
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { configureApi } from '../api/client';
import { AuthContext, type AuthState } from './AuthContext';
import { loadSession, saveSession, type Session } from './session';

export function LocalAuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [expired, setExpired] = useState(false);
  const queryClient = useQueryClient();

  configureApi(
    async () => loadSession()?.token ?? null,
    () => {
      if (!loadSession()) return;
      saveSession(null);
      setSession(null);
      setExpired(true);
    },
  );

  const signInLocal = useCallback<NonNullable<AuthState['signInLocal']>>(
    async (who) => {
      const res = await fetch('/.local/token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify('operator' in who ? { operator: true } : { objectId: who.objectId }),
      });
      if (!res.ok) throw new Error(`Sign-in failed (${res.status}).`);
      const { token } = (await res.json()) as { token: string };
      const next: Session = { token, label: who.label, operator: 'operator' in who };
      queryClient.clear();
      saveSession(next);
      setExpired(false);
      setSession(next);
    },
    [queryClient],
  );

  const signOut = useCallback(() => {
    saveSession(null);
    queryClient.clear();
    setSession(null);
    setExpired(false);
  }, [queryClient]);

  const value = useMemo<AuthState>(
    () => ({
      mode: 'local',
      signedIn: !!session,
      label: session?.label ?? '',
      expired,
      signInLocal,
      signOut,
    }),
    [session, expired, signInLocal, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
