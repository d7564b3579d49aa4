/**
 * The local token issuer (docs/product.md §10): an RS256 key kept in `DATA_DIR/issuer/`, a JWKS the local
 * host serves, and signed tokens whose `oid` is a user's object id. Production trusts only the configured
 * Entra issuer; this issuer exists only in the local runtime.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { OPERATOR_APP_ROLE } from '../domain/types';

/** Issuer and audience of local tokens; independent of the port so tokens survive restarts. */
export const LOCAL_ISSUER = 'urn:partner-benefits:local-issuer';
export const LOCAL_AUDIENCE = 'api://partner-benefits';
/** Path of the JWKS on the local host. */
export const LOCAL_JWKS_PATH = '/.local-issuer/jwks.json';

/** Options of a token. */
export interface TokenRequest {
  objectId: string;
  name?: string;
  operator?: boolean;
  /** Lifetime, seconds (default 8 h). */
  lifetimeSeconds?: number;
  /** Overrides for tests of rejection: another audience, issuer, or an expiry in the past. */
  audience?: string;
  issuer?: string;
  expiresAt?: Date;
}

/** A loaded issuer. */
export interface LocalIssuer {
  jwks: { keys: JWK[] };
  sign(request: TokenRequest): Promise<string>;
}

/** Thrown by {@link loadLocalIssuer} with `create: false` when the folder has no key. */
export class MissingIssuerKeyError extends Error {
  constructor(readonly file: string) {
    super(`No local issuer key at ${file}.`);
    this.name = 'MissingIssuerKeyError';
  }
}

/**
 * Loads the key from `dataDir/issuer/signing-key.json`. The host creates it on first use (`create`, the
 * default); a CLI passes `create: false` and gets a {@link MissingIssuerKeyError} instead, because a key it
 * made up would sign tokens the running host rejects.
 */
export async function loadLocalIssuer(
  dataDir: string,
  options: { create?: boolean } = {},
): Promise<LocalIssuer> {
  const dir = join(dataDir, 'issuer');
  const file = join(dir, 'signing-key.json');
  let privateJwk: JWK;
  try {
    privateJwk = JSON.parse(await readFile(file, 'utf8')) as JWK;
  } catch (e) {
    if (options.create === false) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingIssuerKeyError(file);
      throw new Error(`The local issuer key ${file} is unreadable: ${(e as Error).message}`);
    }
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    privateJwk = {
      ...(await exportJWK(privateKey)),
      kid: `local-${Date.now().toString(36)}`,
      alg: 'RS256',
      use: 'sig',
    };
    await mkdir(dir, { recursive: true });
    try {
      await writeFile(file, JSON.stringify(privateJwk), { flag: 'wx', mode: 0o600 });
    } catch {
      // Another process created it first: use theirs.
      privateJwk = JSON.parse(await readFile(file, 'utf8')) as JWK;
    }
  }
  const key = await importJWK(privateJwk, 'RS256');
  const { n, e, kty, kid, alg, use } = privateJwk;
  return {
    jwks: { keys: [{ n, e, kty, kid, alg, use }] },
    async sign(request) {
      const now = Math.floor(Date.now() / 1000);
      const exp = request.expiresAt
        ? Math.floor(request.expiresAt.getTime() / 1000)
        : now + (request.lifetimeSeconds ?? 8 * 3600);
      return new SignJWT({
        oid: request.objectId,
        ...(request.name ? { name: request.name } : {}),
        ...(request.operator ? { roles: [OPERATOR_APP_ROLE] } : {}),
      })
        .setProtectedHeader({ alg: 'RS256', kid: privateJwk.kid, typ: 'JWT' })
        .setIssuer(request.issuer ?? LOCAL_ISSUER)
        .setAudience(request.audience ?? LOCAL_AUDIENCE)
        .setSubject(request.objectId)
        .setIssuedAt(Math.min(now, exp - 1))
        .setExpirationTime(exp)
        .sign(key);
    },
  };
}
