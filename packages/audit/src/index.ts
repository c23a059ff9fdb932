export { createAuditTrail, AUDIT_COLLECTION, type AuditTrail, type AuditTrailConfig } from './audit-trail';
export {
  fromBusEvent,
  fromRequest,
  RECORDED_BUS_EVENTS,
  RECORDED_REQUESTS,
  type AuditEvent,
} from './audit-event';
export { AUDIT_SEARCH_SIZE } from './search-audit-events';
