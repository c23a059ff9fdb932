export { StrategyRegistry, type RegisteredStrategy } from './strategy-registry';
export { authenticate, type AuthenticationOutcome } from './authenticate';
