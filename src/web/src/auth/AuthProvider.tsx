/** Picks the sign-in of the build: local (npm start) or Microsoft Entra ID (deployed; MSAL loaded lazily). */
import { lazy, Suspense, type ReactNode } from 'react';
import { LocalAuthProvider } from './LocalAuthProvider';

// A build-time constant: the production bundle has no local sign-in, the local bundle no MSAL.
const MsalAuthProvider = __LOCAL_SIGN_IN__ ? null : lazy(() => import('./MsalAuthProvider'));

export function AuthProvider({ children }: { children: ReactNode }) {
  if (MsalAuthProvider === null) return <LocalAuthProvider>{children}</LocalAuthProvider>;
  return (
    <Suspense fallback={null}>
      <MsalAuthProvider>{children}</MsalAuthProvider>
    </Suspense>
  );
}
