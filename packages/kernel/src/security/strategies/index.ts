export { StrategyRegistry, type RegisteredStrategy } from './strategy-registry';
export { authenticate, type AuthenticationOutcome } from './authenticate';
export { claimedUsername, passportRequestOf } from './passport-request';
