/**
 * The app's managed identity in Azure (docs/deploy.md): one `DefaultAzureCredential` per use site, created on its
 * first token request, so `@azure/identity` (and MSAL below it, ~300 KB bundled) is neither loaded at cold start
 * nor in the code a request parses until a token is needed. Locally (account keys, the outbox) it never loads.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';

/**
 * A `DefaultAzureCredential` (user-assigned managed identity `clientId` when given) created on the
 * first token request, so `@azure/identity` is not loaded at cold start.
 */
export function lazyDefaultAzureCredential(clientId?: string): TokenCredential {
  let inner: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      inner ??= import('@azure/identity').then(
        ({ DefaultAzureCredential }) => new DefaultAzureCredential({ managedIdentityClientId: clientId }),
      );
      return (await inner).getToken(scopes, options);
    },
  };
}
