/**
 * Microsoft Entra ID sign-in through MSAL (deployed build only; loaded lazily so its code is not in the initial
 * bundle). Tokens are acquired silently for the API's scope (`VITE_API_SCOPE`), falling back to a redirect.
 * Registration steps and where the build gets these values: docs/deploy.md "Portal sign-in".
 */
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import {
  EventType,
  InteractionRequiredAuthError,
  PublicClientApplication,
  type AuthenticationResult,
} from '@azure/msal-browser';
import { MsalProvider, useIsAuthenticated, useMsal } from '@azure/msal-react';
import { configureApi } from '../api/client';
import { AuthContext, type AuthState } from './AuthContext';

const scopes = [import.meta.env.VITE_API_SCOPE ?? 'api://partner-benefits/Benefits.Access'];

const msal = new PublicClientApplication({
  auth: {
    clientId: import.meta.env.VITE_ENTRA_CLIENT_ID ?? '',
    authority: import.meta.env.VITE_ENTRA_AUTHORITY ?? 'https://login.microsoftonline.com/organizations',
    redirectUri: `${window.location.origin}/`,
    postLogoutRedirectUri: `${window.location.origin}/`,
  },
  cache: { cacheLocation: 'sessionStorage' },
});
const ready = msal.initialize().then(async () => {
  const result = await msal.handleRedirectPromise();
  if (result?.account) msal.setActiveAccount(result.account);
  else if (!msal.getActiveAccount() && msal.getAllAccounts()[0])
    msal.setActiveAccount(msal.getAllAccounts()[0]);
});
msal.addEventCallback((event) => {
  if (event.eventType === EventType.LOGIN_SUCCESS && event.payload) {
    msal.setActiveAccount((event.payload as AuthenticationResult).account);
  }
});

function Inner({ children }: { children: ReactNode }) {
  const { instance, accounts } = useMsal();
  const signedIn = useIsAuthenticated();
  const [expired, setExpired] = useState(false);

  configureApi(
    async () => {
      await ready;
      const account = instance.getActiveAccount() ?? accounts[0];
      if (!account) return null;
      try {
        return (await instance.acquireTokenSilent({ scopes, account })).accessToken;
      } catch (e) {
        if (e instanceof InteractionRequiredAuthError)
          await instance.acquireTokenRedirect({ scopes, account });
        throw e;
      }
    },
    () => setExpired(true),
  );
  const signInEntra = useCallback(async () => {
    await ready;
    await instance.loginRedirect({ scopes });
  }, [instance]);
  const signOut = useCallback(() => void instance.logoutRedirect(), [instance]);
  const value = useMemo<AuthState>(
    () => ({
      mode: 'entra',
      signedIn,
      label: accounts[0]?.username ?? '',
      expired,
      signInEntra,
      signOut,
    }),
    [signedIn, accounts, expired, signInEntra, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export default function MsalAuthProvider({ children }: { children: ReactNode }) {
  return (
    <MsalProvider instance={msal}>
      <Inner>{children}</Inner>
    </MsalProvider>
  );
}
