/**
 * The TOTP strategy runs the strategy conformance suite. The suite's logins are plain bodies written before the
 * users exist, so the plugin runs here with two test seams: a frozen clock and a secret derived from the kuid,
 * which make each user's valid code known in advance; and `confirmEnrolment: false`, since the suite's users
 * are created with their credentials and never confirm. An update is `{renew: true}` (a new secret: the same one
 * here, derived from the kuid).
 *
 * The enrolment answer (createCredentials, updateCredentials with renew, and their auth:*My* forms) shows the
 * secret once, by design; the suite's "no secret in any answer or log line" has no notion of that. So the secrets
 * it checks are the secrets of the users whose secret no answer showed (those created with security:createUser):
 * their secret is stored, used for logins, and must appear nowhere else.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAuthTotpPlugin } from '@tessera/plugin-auth-totp';
import { definePlugin, type PluginManifest } from '@tessera/plugin-sdk';
import { describeStrategyConformance } from '@tessera/testing';
import { HOTP, Secret } from 'otpauth';

const manifest = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'manifest.json'), 'utf8'),
) as PluginManifest;

const FROZEN = Date.UTC(2030, 0, 1, 12, 0, 10);
const STEP = Math.floor(FROZEN / 30_000);

const kuidOf = (n: number) => `conformance-user-${n}`;
const secretOf = (kuid: string) =>
  new Secret({ buffer: Uint8Array.from(createHash('sha1').update(kuid).digest()).buffer }).base32;
const codeOf = (n: number, step = STEP) =>
  HOTP.generate({ secret: Secret.fromBase32(secretOf(kuidOf(n))), counter: step });

/** A code of the right shape that none of the steps around the frozen one has. */
const wrongCodeOf = (n: number) => {
  const taken = new Set([-2, -1, 0, 1, 2].map((delta) => codeOf(n, STEP + delta)));
  let candidate = Number(codeOf(n));
  do candidate = (candidate + 1) % 1_000_000;
  while (taken.has(String(candidate).padStart(6, '0')));
  return String(candidate).padStart(6, '0');
};

/** The kuids whose secret an answer showed: an enrolment or a renewal through the API. */
const shown = new Set<string>();
const ENROLMENT_ANSWERS = [
  'security:afterCreateCredentials',
  'security:afterUpdateCredentials',
  'auth:afterCreateMyCredentials',
  'auth:afterUpdateMyCredentials',
] as const;
const plugin = createAuthTotpPlugin({ now: () => FROZEN, newSecret: secretOf });
const definition = definePlugin({
  configSchema: plugin.configSchema,
  setup(ctx) {
    for (const event of ENROLMENT_ANSWERS) {
      ctx.bus.hook(event, (request) => {
        const kuid = request.input.controller === 'auth' ? request.user?._id : request.input.args._id;
        if (request.input.args.strategy === 'totp' && typeof kuid === 'string') shown.add(kuid);
      });
    }
    return plugin.setup(ctx);
  },
});

describeStrategyConformance({
  strategy: 'totp',
  plugin: { manifest, definition },
  overrides: { plugins: { 'auth-totp': { confirmEnrolment: false } } },
  credentials: () => ({}),
  update: () => ({ renew: true }),
  invalidCredentials: [
    { secret: 'JBSWY3DPEHPK3PXP' },
    { code: '123456' },
    { label: 42 },
    { username: 'not-a-totp-field' },
  ],
  wrongLogin: (n) => ({ body: { username: kuidOf(n), code: wrongCodeOf(n) } }),
  login: (n) => ({ body: { username: kuidOf(n), code: codeOf(n) } }),
  // Read once the other checks ran, so `shown` is complete.
  secrets: (n) => (shown.has(kuidOf(n)) ? [] : [secretOf(kuidOf(n))]),
  secretsAtRest: true,
});
