/**
 * Everything the auth and security controllers work with, built once by the kernel.
 */
import type { EventBus, Logger } from '@tessera/plugin-sdk';
import type { ActionRegistry } from '../api/action-registry';
import type { TesseraConfig } from '../config';
import type { SecurityRepository } from './accounts';
import type { Credentials } from './credentials';
import type { LoginThrottle } from './login-throttle';
import type { StrategyRegistry } from './strategies';
import type { AuthToken, TokenManager } from './tokens';
import type { UserCreationJournal } from './user-creation-journal';

/** Links tokens to the realtime connections that use them (for TokenExpired and revocation pushes). */
export interface TokenLinker {
  link(connectionId: string, token: AuthToken | null): unknown;
  unlink(connectionId: string): unknown;
}

export interface SecurityServices {
  readonly accounts: SecurityRepository;
  readonly tokens: TokenManager;
  readonly strategies: StrategyRegistry;
  readonly credentials: Credentials;
  /** User creations in progress, undone at boot when a crash interrupted them. */
  readonly creations: UserCreationJournal;
  readonly throttle: LoginThrottle;
  readonly tokenLinks: TokenLinker;
  readonly registry: ActionRegistry;
  readonly bus: EventBus;
  readonly log: Logger;
  readonly config: TesseraConfig['security'];
}
