/**
 * The one error catalog: every error the API can answer with, by id.
 *
 * Ids and numeric codes are Kuzzle's where Kuzzle has the error (code = domain << 24 | subdomain << 16 | error),
 * so clients written for Kuzzle recognise them. Errors Kuzzle does not have use subdomains numbered from 0x80
 * so they can never collide with one of Kuzzle's. `docs/errors.md` lists every entry; a test keeps them in sync.
 */

export interface ErrorSpec {
  readonly code: number;
  readonly status: number;
  /** Message template; each `%s` takes the next placeholder value. */
  readonly message: string;
}

/** Kuzzle's PartialError: some of a multi-document request succeeded; the error lists what did not. */
const PARTIAL = 206;
const BAD_REQUEST = 400;
const UNAUTHORIZED = 401;
const FORBIDDEN = 403;
const NOT_FOUND = 404;
const CONFLICT = 409;
const PRECONDITION = 412;
const SIZE_LIMIT = 413;
const TOO_MANY_REQUESTS = 429;
const INTERNAL = 500;
const SERVICE_UNAVAILABLE = 503;
const GATEWAY_TIMEOUT = 504;

export const errorCatalog = {
  // core (0x00): configuration and boot, Tessera's own
  'core.config.invalid_value': {
    code: 0x00800001,
    status: INTERNAL,
    message: 'Invalid configuration "%s": %s',
  },
  'core.config.unknown_key': {
    code: 0x00800002,
    status: INTERNAL,
    message: 'Unknown configuration key "%s".',
  },
  'core.config.unreadable_file': {
    code: 0x00800003,
    status: INTERNAL,
    message: 'Cannot read the configuration file "%s": %s',
  },
  'core.runtime.unexpected_error': {
    code: 0x00810001,
    status: INTERNAL,
    message: 'Unexpected internal error while processing request "%s"; the server logs have the details.',
  },

  // core.realtime (0x0001)
  'core.realtime.room_not_found': {
    code: 0x00010001,
    status: NOT_FOUND,
    message: 'The room "%s" doesn\'t exist',
  },
  'core.realtime.invalid_scope': {
    code: 0x00010004,
    status: BAD_REQUEST,
    message: 'Invalid value for the "scope" parameter (allowed: "all", "in", "out", "none").',
  },
  'core.realtime.invalid_users': {
    code: 0x00010005,
    status: BAD_REQUEST,
    message: 'Invalid value for the "users" parameter (allowed: "all", "in", "out", "none").',
  },
  'core.realtime.too_many_terms': {
    code: 0x00010006,
    status: SIZE_LIMIT,
    message: 'Unable to subscribe: maximum number of %s exceeded (max %s, received %s).',
  },
  'core.realtime.not_subscribed': {
    code: 0x00010008,
    status: PRECONDITION,
    message: 'User "%s" has not subscribed to "%s".',
  },

  // services.storage (0x0101)
  'services.storage.not_found': {
    code: 0x0101000b,
    status: NOT_FOUND,
    message: 'Document "%s" not found in "%s":"%s".',
  },
  'services.storage.document_already_exists': {
    code: 0x01010011,
    status: BAD_REQUEST,
    message: 'Document already exists.',
  },
  'services.storage.invalid_collection_name': {
    code: 0x0101002a,
    status: BAD_REQUEST,
    message: 'The collection name "%s" is invalid',
  },
  'services.storage.invalid_search_query': {
    code: 0x01010028,
    status: BAD_REQUEST,
    message: 'The argument "%s" is not allowed at this level of a search query.',
  },
  'services.storage.unknown_query_keyword': {
    code: 0x0101002d,
    status: BAD_REQUEST,
    message:
      'The keyword "%s" is not part of Elasticsearch Query DSL. Are you trying to use a Koncorde query?',
  },
  'services.storage.get_limit_exceeded': {
    code: 0x01010003,
    status: SIZE_LIMIT,
    message: 'The number of documents returned by this request exceeds the configured server limit.',
  },
  'services.storage.write_limit_exceeded': {
    code: 0x01010004,
    status: SIZE_LIMIT,
    message: 'The number of documents edited by this request exceeds the configured server limit.',
  },
  'services.storage.not_connected': {
    code: 0x01010018,
    status: SERVICE_UNAVAILABLE,
    message: 'Storage service is not connected.',
  },
  'services.storage.incomplete_delete': {
    code: 0x01010009,
    status: PARTIAL,
    message: "Couldn't delete all the requested documents: %s",
  },
  'services.storage.invalid_mapping': {
    code: 0x01010015,
    status: BAD_REQUEST,
    message: 'Invalid mapping property "mappings.%s".%s',
  },
  'services.storage.cannot_change_mapping': {
    code: 0x0101001a,
    status: BAD_REQUEST,
    message: 'Field "%s" already has a mapping, and it cannot be changed',
  },
  'services.storage.invalid_mapping_type': {
    code: 0x0101001d,
    status: BAD_REQUEST,
    message: 'Field "%s": the data type "%s" doesn\'t exist',
  },
  'services.storage.unique_violation': {
    code: 0x01800001,
    status: PRECONDITION,
    message: 'Another document of "%s" already has this value for the unique field "%s".',
  },
  'services.storage.invalid_field_path': {
    code: 0x01800002,
    status: BAD_REQUEST,
    message: 'Invalid field path "%s".',
  },
  // The engine's own message may name tables, paths or hosts: it goes to the logs (as the cause), never the wire.
  'services.storage.unexpected_error': {
    code: 0x01010023,
    status: INTERNAL,
    message: 'Unexpected storage error; the server logs have the details.',
  },
  'services.storage.invalid_namespace': {
    code: 0x01800004,
    status: INTERNAL,
    message: 'The storage namespace "%s" is invalid',
  },
  'services.storage.version_conflict': {
    code: 0x01800005,
    status: CONFLICT,
    message: 'Document "%s" is no longer at version %s: another write came first.',
  },
  'services.storage.query_too_complex': {
    code: 0x01800006,
    status: BAD_REQUEST,
    message: 'The query is too complex: %s.',
  },
  'services.storage.cannot_connect': {
    code: 0x01800008,
    status: INTERNAL,
    message: 'Cannot connect to %s at %s: %s',
  },
  'services.storage.unsupported_query_keyword': {
    code: 0x01800009,
    status: BAD_REQUEST,
    message: 'The keyword "%s" of Elasticsearch Query DSL is not supported by this server.',
  },
  'services.storage.indexed_field_not_scalar': {
    code: 0x01800007,
    status: BAD_REQUEST,
    message:
      'The field "%s" of "%s" is declared unique or indexed: it holds a string, a number, a boolean or null, not %s.',
  },
  'services.storage.invalid_import_line': {
    code: 0x0180000a,
    status: BAD_REQUEST,
    message: 'Line %s of the store export cannot be imported: %s.',
  },

  // services.cluster (0x0181, Tessera's own): the state the nodes of a cluster share (Redis)
  'services.cluster.not_connected': {
    code: 0x01810001,
    status: SERVICE_UNAVAILABLE,
    message: 'The state shared by the nodes of this cluster cannot be reached; retry shortly.',
  },

  // api.assert (0x0201)
  'api.assert.invalid_type': {
    code: 0x02010001,
    status: BAD_REQUEST,
    message: 'Wrong type for argument "%s" (expected: %s)',
  },
  'api.assert.invalid_argument': {
    code: 0x02010002,
    status: BAD_REQUEST,
    message: 'Invalid argument "%s". Expected: %s',
  },
  'api.assert.missing_argument': { code: 0x02010003, status: BAD_REQUEST, message: 'Missing argument "%s".' },
  'api.assert.empty_argument': {
    code: 0x02010004,
    status: BAD_REQUEST,
    message: 'The argument "%s" is empty.',
  },
  'api.assert.mutually_exclusive': {
    code: 0x02010005,
    status: BAD_REQUEST,
    message: 'Arguments "%s" and "%s" are mutually exclusive',
  },
  'api.assert.unexpected_argument': {
    code: 0x02010007,
    status: BAD_REQUEST,
    message: 'Unexpected argument "%s" (accepted arguments: %s)',
  },
  'api.assert.body_required': {
    code: 0x02010008,
    status: BAD_REQUEST,
    message: 'The request must specify a body.',
  },
  'api.assert.forbidden_argument': {
    code: 0x0201000b,
    status: BAD_REQUEST,
    message: 'The argument "%s" is not allowed by this API action.',
  },
  'api.assert.koncorde_unknown_keyword': {
    code: 0x0201000c,
    status: BAD_REQUEST,
    message:
      'The keyword "%s" is not part of Koncorde filters DSL keywords. Are you trying to use an Elasticsearch query?',
  },
  'api.assert.koncorde_restricted_keyword': {
    code: 0x0201000d,
    status: BAD_REQUEST,
    message: 'The %s "%s" of Koncorde DSL is not supported for search queries.',
  },
  'api.assert.koncorde_dsl_error': { code: 0x0201000e, status: BAD_REQUEST, message: '%s' },

  // api.process (0x0202)
  'api.process.overloaded': {
    code: 0x02020002,
    status: SERVICE_UNAVAILABLE,
    message: 'Request discarded: the server is temporarily overloaded.',
  },
  'api.process.controller_not_found': {
    code: 0x02020004,
    status: NOT_FOUND,
    message: 'API controller "%s" not found.',
  },
  'api.process.action_not_found': {
    code: 0x02020005,
    status: NOT_FOUND,
    message: 'API action "%s":"%s" not found',
  },
  'api.process.incompatible_sdk_version': {
    code: 0x02020006,
    status: BAD_REQUEST,
    message: 'Incompatible SDK client. Your SDK version (%s) does not match the requirement (%s).',
  },
  'api.process.shutting_down': {
    code: 0x02020007,
    status: SERVICE_UNAVAILABLE,
    message: 'Rejected: this node is shutting down.',
  },
  'api.process.too_many_requests': {
    code: 0x02020008,
    status: TOO_MANY_REQUESTS,
    message: 'Rejected: requests rate limit exceeded for this user.',
  },
  'api.process.admin_exists': {
    code: 0x02020009,
    status: PRECONDITION,
    message: 'Admin user is already set.',
  },
  'api.process.unauthorized_origin': {
    code: 0x0202000c,
    status: UNAUTHORIZED,
    message: 'The origin "%s" is not authorized.',
  },
  'api.process.too_many_logins_requests': {
    code: 0x0202000d,
    status: TOO_MANY_REQUESTS,
    message: 'Rejected: too many login attempts %s (at most %s per %s); retry in %s seconds.',
  },
  // api.process, Tessera's own (0x0280)
  'api.process.reserved_channel': {
    code: 0x02800001,
    status: FORBIDDEN,
    message: 'The "%s" channel is reserved to the server.',
  },
  'api.process.data_api_not_served': {
    code: 0x02800003,
    status: NOT_FOUND,
    message:
      'API action "%s":"%s" belongs to Kuzzle\'s data API, which this server does not serve: it keeps no data indexes (index:list answers none).',
  },
  'api.process.realtime_connection_required': {
    code: 0x02800002,
    status: BAD_REQUEST,
    message:
      'The action "realtime:%s" needs an open WebSocket connection, where the server pushes notifications; this request came over %s.',
  },

  // network (0x03)
  'network.http.request_too_large': {
    code: 0x03010001,
    status: SIZE_LIMIT,
    message: 'Maximum HTTP request size exceeded.',
  },
  'network.http.unsupported_verb': {
    code: 0x03010006,
    status: BAD_REQUEST,
    message: 'Unsupported HTTP verb "%s".',
  },
  'network.http.url_not_found': { code: 0x03010007, status: NOT_FOUND, message: 'API URL not found: %s.' },
  'network.http.unsupported_content': {
    code: 0x03010008,
    status: BAD_REQUEST,
    message: 'Invalid request content-type. Expected "application/json", got: "%s".',
  },
  'network.http.unsupported_charset': {
    code: 0x03010009,
    status: BAD_REQUEST,
    message: 'Unsupported request charset. Expected "utf-8", got: "%s".',
  },
  'network.http.volatile_parse_failed': {
    code: 0x0301000b,
    status: BAD_REQUEST,
    message: 'Unable to convert the "x-kuzzle-volatile" HTTP header to JSON: %s',
  },
  'network.http.body_parse_failed': {
    code: 0x0301000c,
    status: BAD_REQUEST,
    message: 'Unable to convert the HTTP body to JSON: %s',
  },
  // network.http, Tessera's own (0x0381)
  'network.http.secret_in_url': {
    code: 0x03810001,
    status: BAD_REQUEST,
    message:
      'The argument "%s" carries a secret and is refused in a URL, which access logs and browser history keep: send it in the JSON body (a token: in the Authorization header).',
  },
  'network.websocket.unexpected_error': {
    code: 0x03030001,
    status: BAD_REQUEST,
    message: 'Caught an unexpected WebSocket error: %s',
  },
  'network.websocket.ratelimit_exceeded': {
    code: 0x03030002,
    status: TOO_MANY_REQUESTS,
    message: 'Rejected: too many requests received from that socket',
  },
  'network.websocket.request_too_large': {
    code: 0x03800001,
    status: SIZE_LIMIT,
    message: 'Maximum WebSocket message size exceeded.',
  },

  // plugin (0x04)
  'plugin.assert.cannot_load': {
    code: 0x04010002,
    status: INTERNAL,
    message: 'Unable to load plugin from path "%s"; %s.',
  },
  'plugin.assert.name_already_exists': {
    code: 0x04010009,
    status: INTERNAL,
    message: 'A plugin named %s already exists',
  },
  'plugin.assert.invalid_definition': {
    code: 0x04800001,
    status: INTERNAL,
    message: 'Plugin "%s": %s',
  },
  'plugin.assert.event_not_owned': {
    code: 0x04800005,
    status: INTERNAL,
    message: 'Plugin "%s" cannot emit "%s": a plugin emits only its own events, named "plugin:%s:<event>".',
  },
  'plugin.assert.strategy_not_owned': {
    code: 0x04800006,
    status: INTERNAL,
    message: 'Plugin "%s" cannot act for the strategy "%s": it did not register it.',
  },
  'plugin.assert.invalid_caller': {
    code: 0x04800008,
    status: INTERNAL,
    message:
      'Plugin "%s" can execute an action only on behalf of a request it is handling (an action, a pipe, a login).',
  },
  'plugin.runtime.failed_init': {
    code: 0x04020001,
    status: INTERNAL,
    message: 'Something went wrong during initialization of "%s" plugin: %s',
  },
  'plugin.runtime.unexpected_error': {
    code: 0x04020002,
    status: INTERNAL,
    message: 'Caught an unexpected plugin error: %s',
  },
  'plugin.runtime.pipe_timeout': {
    code: 0x04020003,
    status: GATEWAY_TIMEOUT,
    message:
      'Plugin "%s": timeout error. A pipe on the event "%s" exceeded the timeout delay (%sms). Aborting.',
  },
  'plugin.runtime.action_timeout': {
    code: 0x04800004,
    status: GATEWAY_TIMEOUT,
    message: 'Plugin "%s": the action "%s" did not answer within %sms.',
  },
  'plugin.runtime.init_timeout': {
    code: 0x04800002,
    status: GATEWAY_TIMEOUT,
    message: 'Plugin "%s": setup did not finish within %sms.',
  },
  'plugin.manifest.cannot_load': {
    code: 0x04050001,
    status: INTERNAL,
    message: "[%s] Unable to load the file 'manifest.json': %s",
  },
  'plugin.manifest.version_mismatch': {
    code: 0x04050002,
    status: INTERNAL,
    message:
      '[%s/manifest.json] Version mismatch: current Tessera version %s does not match the manifest requirements (%s).',
  },
  'plugin.manifest.missing_dependency': {
    code: 0x04800007,
    status: INTERNAL,
    message: '[%s/manifest.json] Depends on the plugin "%s", which is not loaded (add it to plugins.paths).',
  },
  'plugin.manifest.invalid_field': {
    code: 0x04800003,
    status: INTERNAL,
    message: '[%s/manifest.json] Invalid field "%s": %s',
  },

  // A Kuzzle plugin's errors built with its context's error classes (`new context.errors.BadRequestError(msg)`):
  // Kuzzle leaves them without id or code; here each class has one, and the message is the plugin's.
  'plugin.kuzzle.bad_request': { code: 0x04810001, status: BAD_REQUEST, message: '%s' },
  'plugin.kuzzle.unauthorized': { code: 0x04810002, status: UNAUTHORIZED, message: '%s' },
  'plugin.kuzzle.forbidden': { code: 0x04810003, status: FORBIDDEN, message: '%s' },
  'plugin.kuzzle.not_found': { code: 0x04810004, status: NOT_FOUND, message: '%s' },
  'plugin.kuzzle.precondition': { code: 0x04810005, status: PRECONDITION, message: '%s' },
  'plugin.kuzzle.size_limit': { code: 0x04810006, status: SIZE_LIMIT, message: '%s' },
  'plugin.kuzzle.too_many_requests': { code: 0x04810007, status: TOO_MANY_REQUESTS, message: '%s' },
  'plugin.kuzzle.internal_error': { code: 0x04810008, status: INTERNAL, message: '%s' },
  'plugin.kuzzle.plugin_implementation': { code: 0x04810009, status: INTERNAL, message: '%s' },
  'plugin.kuzzle.external_service': { code: 0x0481000a, status: INTERNAL, message: '%s' },
  'plugin.kuzzle.service_unavailable': { code: 0x0481000b, status: SERVICE_UNAVAILABLE, message: '%s' },
  'plugin.kuzzle.gateway_timeout': { code: 0x0481000c, status: GATEWAY_TIMEOUT, message: '%s' },
  'plugin.kuzzle.partial': { code: 0x0481000d, status: PARTIAL, message: '%s' },
  'plugin.kuzzle.unsupported': {
    code: 0x0481000e,
    status: INTERNAL,
    message: 'Kuzzle plugin "%s" uses %s, which Tessera does not support (see docs/plugins.md).',
  },
  'plugin.strategy.invalid_definition': { code: 0x0403000c, status: INTERNAL, message: 'Strategy "%s": %s' },
  'plugin.strategy.failed_registration': {
    code: 0x0403000d,
    status: INTERNAL,
    message: 'Failed to register strategy "%s": %s',
  },
  'plugin.strategy.invalid_verify_return': {
    code: 0x0403000e,
    status: INTERNAL,
    message: 'Strategy "%s": the "verify" method is expected to return a Promise, got: %s.',
  },
  'plugin.strategy.invalid_verify_resolve': {
    code: 0x0403000f,
    status: INTERNAL,
    message: 'Strategy "%s": invalid authentication strategy result (expected an object).',
  },
  'plugin.strategy.invalid_kuid': {
    code: 0x04030010,
    status: INTERNAL,
    message: 'Strategy "%s": invalid authentication kuid returned: expected a string, got a %s.',
  },
  'plugin.strategy.unknown_kuid': {
    code: 0x04030011,
    status: INTERNAL,
    message: 'Strategy "%s" returned an unknown user identifier.',
  },
  'plugin.strategy.unauthorized_removal': {
    code: 0x04030012,
    status: INTERNAL,
    message: 'Cannot remove strategy %s: owned by another plugin.',
  },
  'plugin.strategy.strategy_not_found': {
    code: 0x04030013,
    status: NOT_FOUND,
    message: 'Cannot remove strategy %s: strategy does not exist.',
  },
  'plugin.strategy.missing_user': { code: 0x04030014, status: UNAUTHORIZED, message: '%s' },
  'plugin.strategy.missing_optional_method': {
    code: 0x04030015,
    status: INTERNAL,
    message: '"%s" method is optional. The %s strategy plugin has not yet implemented it.',
  },
  // security (0x07)
  'security.token.invalid': { code: 0x07010001, status: UNAUTHORIZED, message: 'Invalid token.' },
  'security.token.unknown_user': {
    code: 0x07010002,
    status: INTERNAL,
    message: 'Unknown User : cannot generate token',
  },
  'security.token.ttl_exceeded': {
    code: 0x07010004,
    status: BAD_REQUEST,
    message: 'expiresIn value exceeds maximum allowed value',
  },
  'security.token.generation_failed': {
    code: 0x07010005,
    status: INTERNAL,
    message: 'Error while generating token: %s',
  },
  'security.token.expired': { code: 0x07010006, status: UNAUTHORIZED, message: 'Token expired' },
  'security.token.verification_error': {
    code: 0x07010007,
    status: INTERNAL,
    message: 'Error verifying token: %s',
  },
  'security.token.refresh_forbidden': {
    code: 0x07010008,
    status: UNAUTHORIZED,
    message: '%s cannot be refreshed.',
  },
  'security.token.invalid_expiration': {
    code: 0x07010009,
    status: BAD_REQUEST,
    message: 'Token can not be created with this expiration time: %s',
  },
  'security.credentials.unknown_strategy': {
    code: 0x07020001,
    status: BAD_REQUEST,
    message: 'Unknown authentication strategy "%s"',
  },
  'security.credentials.database_inconsistency': {
    code: 0x07020002,
    status: INTERNAL,
    message: 'Internal database inconsistency detected: existing credentials found on non-existing user %s.',
  },
  'security.credentials.rejected': {
    code: 0x07020003,
    status: BAD_REQUEST,
    message: 'Credentials rejected: %s',
  },
  'security.rights.unauthorized': {
    code: 0x07030001,
    status: UNAUTHORIZED,
    message: 'Unauthorized: authentication required to execute the action "%s:%s".',
  },
  'security.rights.forbidden': {
    code: 0x07030002,
    status: FORBIDDEN,
    message: 'Insufficient permissions to execute the action "%s:%s" (User "%s").',
  },
  'security.user.already_exists': {
    code: 0x07040001,
    status: PRECONDITION,
    message: 'User %s already exists.',
  },
  'security.user.not_found': { code: 0x07040002, status: NOT_FOUND, message: 'User "%s" not found.' },
  'security.user.anonymous_profile_required': {
    code: 0x07040003,
    status: BAD_REQUEST,
    message: 'The anonymous user must be assigned to the anonymous profile',
  },
  'security.user.no_profile': {
    code: 0x07040007,
    status: INTERNAL,
    message: 'Cannot load user "%s": there is no security profiles associated to it',
  },
  'security.user.locked': {
    code: 0x07800001,
    status: FORBIDDEN,
    message: 'Account locked after too many failed logins; try again in %s seconds or ask an administrator.',
  },
  'security.user.creation_interrupted': {
    code: 0x07800002,
    status: CONFLICT,
    message: 'The creation of user "%s" was undone by a node recovering from a crash; try again.',
  },
  'security.role.not_found': { code: 0x07050001, status: NOT_FOUND, message: 'Role "%s" not found.' },
  'security.role.login_required': {
    code: 0x07050002,
    status: BAD_REQUEST,
    message: 'Cannot remove the "login" action from the anonymous role.',
  },
  'security.role.cannot_delete': {
    code: 0x07050003,
    status: BAD_REQUEST,
    message: 'The following roles are protected and cannot be deleted: anonymous, default, admin',
  },
  'security.role.in_use': {
    code: 0x07050004,
    status: PRECONDITION,
    message: 'The role "%s" is still used and cannot be deleted.',
  },
  'security.role.unknown_controller': {
    code: 0x07050009,
    status: BAD_REQUEST,
    message: "Trying to set role %s with a non-existing controller '%s'. %s",
  },
  'security.role.unknown_action': {
    code: 0x0705000a,
    status: BAD_REQUEST,
    message: "Trying to set role %s with a non-existing action '%s' in controller '%s'. %s",
  },
  'security.profile.not_found': { code: 0x07060001, status: NOT_FOUND, message: 'Profile "%s" not found.' },
  'security.profile.cannot_delete': {
    code: 0x07060002,
    status: BAD_REQUEST,
    message: 'The following profiles are protected and cannot be deleted: anonymous, default, admin',
  },
  'security.profile.in_use': {
    code: 0x07060003,
    status: PRECONDITION,
    message: 'The profile "%s" is still used and cannot be deleted.',
  },
  'security.profile.missing_anonymous_role': {
    code: 0x07060005,
    status: BAD_REQUEST,
    message: 'The anonymous profile must include the anonymous role',
  },
  // Kuzzle answers it with a 500; asking for a feature the server has turned off is the client's error.
  'security.cookie.unsupported': {
    code: 0x07070002,
    status: BAD_REQUEST,
    message: 'Cookie authentication not supported.',
  },
  'security.session.not_found': { code: 0x07810001, status: NOT_FOUND, message: 'Session "%s" not found.' },
  // security.token, Tessera's own (0x0782): Kuzzle answers this one with verification_error, a 500.
  'security.token.ambiguous': {
    code: 0x07820001,
    status: UNAUTHORIZED,
    message: 'Both token and cookie are present, could not decide which one to use.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorId = keyof typeof errorCatalog;
