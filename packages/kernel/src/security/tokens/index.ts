/** Tokens: the TokenManager (auth tokens and API keys); the TokenStore port it records them in is @tessera/cluster's. */
export {
  TokenManager,
  parseExpiresIn,
  AUTH_TOKEN_PREFIX,
  API_KEY_PREFIX,
  type AuthToken,
  type TokenManagerConfig,
  type TokenManagerOptions,
  type IssueOptions,
  type Session,
  type ApiKey,
  type CreatedApiKey,
  type CreateApiKeyOptions,
} from './token-manager';
export { hashToken, type TokenStore, type TokenRecord, type TokenType } from '@tessera/cluster';
