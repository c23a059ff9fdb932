/**
 * Which passport strategy a configured strategy runs, and with which options: a generic OAuth 2.0 provider
 * whose profile is fetched from `userInfoURL` with the access token, an OpenID provider whose endpoints come
 * from its discovery document, or any installed `passport-<name>` module.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { tesseraError, type PassportStrategyConstructor } from '@tessera/plugin-sdk';
import { Strategy as OAuth2Strategy } from 'passport-oauth2';
import type { StrategySettings } from './config';

export interface ResolvedProvider {
  readonly authenticator: PassportStrategyConstructor;
  /** Endpoint options found by discovery, merged into the constructor's options. */
  readonly endpoints: Readonly<Record<string, string>>;
}

export async function resolveProvider(settings: StrategySettings): Promise<ResolvedProvider> {
  switch (settings.kind) {
    case 'oauth2':
      return {
        authenticator: userInfoStrategy(settings.name, settings.userInfoURL ?? ''),
        endpoints: {},
      };
    case 'oidc': {
      const discovered = await discover(settings.name, settings.issuer ?? '');
      return {
        authenticator: userInfoStrategy(settings.name, discovered.userinfo_endpoint),
        endpoints: {
          authorizationURL: discovered.authorization_endpoint,
          tokenURL: discovered.token_endpoint,
        },
      };
    }
    case 'module':
      return { authenticator: loadPassportModule(settings), endpoints: {} };
  }
}

interface DiscoveryDocument {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
}

async function discover(name: string, issuer: string): Promise<DiscoveryDocument> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let document: Partial<DiscoveryDocument>;
  try {
    const response = await fetch(url, { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    document = (await response.json()) as Partial<DiscoveryDocument>;
  } catch (error) {
    throw tesseraError(
      'plugin.assert.invalid_definition',
      'auth-oauth',
      `strategy "${name}": cannot read ${url}: ${(error as Error).message}`,
    );
  }
  for (const key of ['issuer', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint'] as const) {
    if (typeof document[key] !== 'string')
      throw tesseraError(
        'plugin.assert.invalid_definition',
        'auth-oauth',
        `strategy "${name}": ${url} has no ${key}`,
      );
  }
  if (document.issuer?.replace(/\/+$/, '') !== issuer.replace(/\/+$/, ''))
    throw tesseraError(
      'plugin.assert.invalid_definition',
      'auth-oauth',
      `strategy "${name}": the discovery document names another issuer (${String(document.issuer)})`,
    );
  return document as DiscoveryDocument;
}

/**
 * passport-oauth2 with a profile: the JSON of `userInfoURL`, read with the access token as a bearer. A `prompt`
 * among the authenticate options goes to the authorization request (OpenID's `prompt=login`).
 */
function userInfoStrategy(name: string, userInfoURL: string): PassportStrategyConstructor {
  return class UserInfoStrategy extends OAuth2Strategy {
    override authorizationParams(options: { prompt?: unknown }): object {
      return typeof options.prompt === 'string' ? { prompt: options.prompt } : {};
    }

    override userProfile(accessToken: string, done: (error?: unknown, profile?: unknown) => void): void {
      fetchProfile(name, userInfoURL, accessToken).then(
        (profile) => done(null, profile),
        (error: unknown) => done(error),
      );
    }
  } as unknown as PassportStrategyConstructor;
}

async function fetchProfile(
  name: string,
  url: string,
  accessToken: string,
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
  });
  if (!response.ok)
    throw tesseraError(
      'plugin.strategy.missing_user',
      `The provider refused the profile request (HTTP ${response.status}).`,
    );
  const json = (await response.json()) as Record<string, unknown>;
  return { provider: name, id: json.sub ?? json.id, _json: json };
}

function loadPassportModule(settings: StrategySettings): PassportStrategyConstructor {
  const moduleName = `passport-${settings.passportStrategy}`;
  try {
    // Resolved from the application, where the operator installs the passport module they configure.
    const required = createRequire(join(process.cwd(), 'package.json'))(moduleName) as { Strategy?: unknown };
    if (typeof required.Strategy !== 'function') throw new Error(`${moduleName} exports no Strategy`);
    return required.Strategy as PassportStrategyConstructor;
  } catch (error) {
    throw tesseraError(
      'plugin.assert.invalid_definition',
      'auth-oauth',
      `Error loading strategy [${settings.name}]: ${(error as Error).message}`,
    );
  }
}
