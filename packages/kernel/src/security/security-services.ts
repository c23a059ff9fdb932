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
import type { TokenManager } from './tokens';

export interface SecurityServices {
  readonly accounts: SecurityRepository;
  readonly tokens: TokenManager;
  readonly strategies: StrategyRegistry;
  readonly credentials: Credentials;
  readonly throttle: LoginThrottle;
  readonly registry: ActionRegistry;
  readonly bus: EventBus;
  readonly log: Logger;
  readonly config: TesseraConfig['security'];
}
