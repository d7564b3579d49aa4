/// <reference types="vite/client" />

/** True in the local build (`--mode localhost`): sign-in through the local host's `/.local/*` routes. */
declare const __LOCAL_SIGN_IN__: boolean;

interface ImportMetaEnv {
  /** Entra ID application (client) id of the portal's SPA registration (docs/deploy.md). */
  readonly VITE_ENTRA_CLIENT_ID?: string;
  /** Authority, e.g. https://login.microsoftonline.com/<tenant id>. */
  readonly VITE_ENTRA_AUTHORITY?: string;
  /** The API's delegated scope, e.g. api://partner-benefits-<env>/Benefits.Access. */
  readonly VITE_API_SCOPE?: string;
}
