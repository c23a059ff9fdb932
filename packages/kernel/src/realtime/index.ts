/** Realtime: subscriptions, notifications, and the token lifecycle as realtime connections see it. */
export { createTokenLinks, type LinkedToken, type TokenLinks } from './token-links';
export {
  createExpiryScheduler,
  MAX_TIMER_DELAY,
  type ExpiryScheduler,
  type ExpirySchedulerOptions,
  type ScheduledTask,
  type SetTimer,
} from './expiry-scheduler';
export { createTokenLifecycle, type TokenLifecycle, type TokenLifecycleOptions } from './token-lifecycle';
export type { ClientConnections } from './client-connections';
export {
  RealtimeHub,
  CHANNEL_OPTIONS,
  type Audience,
  type Caller,
  type ChannelOption,
  type ChannelOptions,
  type RealtimeHubOptions,
  type RoomList,
  type Subscription,
} from './realtime-hub';
export {
  attachAuthEventsChannel,
  authEventDocument,
  createAuthEventsAudience,
  AUTH_EVENTS,
  AUTH_EVENTS_RIGHT,
  AUTH_EVENTS_COLLECTION,
  AUTH_EVENTS_INDEX,
  type AuthEventName,
  type AuthEventsAccounts,
  type AuthEventsAudienceOptions,
} from './auth-events-channel';
