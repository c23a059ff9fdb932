/**
 * Link tickets carry a logged-in user's request to link a provider identity (`auth:createMyCredentials` or
 * `updateMyCredentials` with no identity) to the browser that signs in at the provider: the request answers a
 * URL holding a fresh ticket, and the browser that opens it first consumes the ticket and starts a login
 * attempt bound to that user's kuid and to itself. A ticket is random (24 bytes), single use, short-lived, and
 * stored only as its SHA-256, so a leaked store holds no usable ticket.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DocumentCollection, StorageNamespace } from '@tessera/plugin-sdk';

/** The user a login attempt links its identity to, and whether it replaces the identity they hold. */
export interface PendingLink {
  readonly kuid: string;
  readonly update: boolean;
}

interface TicketDocument {
  strategy: string;
  kuid: string;
  update: boolean;
  expiresAt: number;
}

export class LinkTickets {
  private constructor(
    private readonly tickets: DocumentCollection<TicketDocument>,
    private readonly now: () => number,
  ) {}

  static async open(storage: StorageNamespace, now: () => number): Promise<LinkTickets> {
    return new LinkTickets(
      await storage.collection<TicketDocument>('link-tickets', { indexed: ['expiresAt'] }),
      now,
    );
  }

  /** A new ticket for `link`, valid `ttlMs`. Expired tickets are purged on the way. */
  async issue(
    strategy: string,
    link: PendingLink,
    ttlMs: number,
  ): Promise<{ ticket: string; expiresAt: number }> {
    const now = this.now();
    await this.tickets.deleteByQuery({ query: { range: { expiresAt: { lt: now } } } });
    const ticket = randomBytes(24).toString('base64url');
    const expiresAt = now + ttlMs;
    await this.tickets.create({ strategy, kuid: link.kuid, update: link.update, expiresAt }, hashOf(ticket));
    return { ticket, expiresAt };
  }

  /**
   * The link a ticket stands for, once: the first caller to delete it wins. Null for a ticket that is unknown,
   * already used, expired, or another strategy's.
   */
  async consume(strategy: string, ticket: unknown): Promise<PendingLink | null> {
    if (typeof ticket !== 'string' || !/^[A-Za-z0-9_-]{32}$/.test(ticket)) return null;
    const id = hashOf(ticket);
    const found = await this.tickets.get(id);
    if (found === null || !(await this.tickets.delete(id))) return null;
    const { strategy: owner, kuid, update, expiresAt } = found._source;
    if (owner !== strategy || expiresAt < this.now()) return null;
    return { kuid, update };
  }
}

function hashOf(ticket: string): string {
  return createHash('sha256').update(ticket).digest('hex');
}
