/**
 * Where TOTP enrolments live, in the plugin's own namespace (`plugin:auth-totp`), never in the user:
 * - `enrolments`: one document per user, id = kuid: the base32 secret, the code parameters it was made with,
 *   whether a first code confirmed it, and the last time step a code was accepted for;
 * - `used-steps`: one document per accepted (user, time step), id = `<step>:<kuid>`. Creating it is the atomic
 *   claim that makes a code single-use: of two logins with the same code, in one process or in several sharing
 *   the store, only the one whose creation succeeds is accepted. Claims older than the accepted window are
 *   deleted as new ones come.
 * The secret is kept as it is: a verifier needs it to compute codes, so it cannot be hashed like a password.
 */
import {
  isTesseraError,
  type DocumentCollection,
  type StorageNamespace,
  type StoredDocument,
} from '@tessera/plugin-sdk';
import type { TotpAlgorithm } from './config';
import { authTotpError } from './errors';

export interface EnrolmentDocument {
  kuid: string;
  /** Base32; never leaves this plugin except in the answer that creates it. */
  secret: string;
  algorithm: TotpAlgorithm;
  digits: number;
  period: number;
  /** False until a first valid code confirmed the enrolment (when `confirmEnrolment` asks for it). */
  confirmed: boolean;
  createdAt: number;
  confirmedAt: number | null;
  /** The newest time step a code was accepted for: codes of that step and older ones are refused. */
  lastUsedStep: number | null;
}

export type StoredEnrolment = StoredDocument<EnrolmentDocument>;

interface UsedStepDocument {
  kuid: string;
  step: number;
  usedAt: number;
}

export class EnrolmentStore {
  private constructor(
    private readonly enrolments: DocumentCollection<EnrolmentDocument>,
    private readonly usedSteps: DocumentCollection<UsedStepDocument>,
  ) {}

  static async open(storage: StorageNamespace): Promise<EnrolmentStore> {
    const [enrolments, usedSteps] = await Promise.all([
      storage.collection<EnrolmentDocument>('enrolments'),
      storage.collection<UsedStepDocument>('used-steps', { indexed: ['kuid'] }),
    ]);
    return new EnrolmentStore(enrolments, usedSteps);
  }

  find(kuid: string): Promise<StoredEnrolment | null> {
    return this.enrolments.get(kuid);
  }

  /** Creates the user's enrolment; `plugin.auth-totp.credentials_exist` when there is one (the store decides). */
  async create(enrolment: EnrolmentDocument): Promise<StoredEnrolment> {
    try {
      return await this.enrolments.create(enrolment, enrolment.kuid);
    } catch (error) {
      if (isTesseraError(error) && error.id === 'services.storage.document_already_exists')
        throw authTotpError('credentials_exist', [enrolment.kuid]);
      throw error;
    }
  }

  /** Replaces the user's enrolment (a new secret), forgetting the steps used with the old one. */
  async replace(enrolment: EnrolmentDocument): Promise<StoredEnrolment> {
    const stored = await this.enrolments.replace(enrolment.kuid, enrolment);
    await this.forgetSteps(enrolment.kuid);
    return stored;
  }

  update(kuid: string, changes: Partial<EnrolmentDocument>): Promise<StoredEnrolment> {
    return this.enrolments.update(kuid, changes);
  }

  /** True when there was an enrolment to delete. */
  async delete(kuid: string): Promise<boolean> {
    const deleted = await this.enrolments.delete(kuid);
    await this.forgetSteps(kuid);
    return deleted;
  }

  /** Claims `step` for `kuid`, once: false when it was claimed already, here or by another process. */
  async claim(kuid: string, step: number, usedAt: number): Promise<boolean> {
    try {
      await this.usedSteps.create({ kuid, step, usedAt }, `${step}:${kuid}`);
      return true;
    } catch (error) {
      if (isTesseraError(error) && error.id === 'services.storage.document_already_exists') return false;
      throw error;
    }
  }

  /** Deletes the claims of steps before `step`: no code of theirs can be accepted any more. */
  async forgetStepsBefore(kuid: string, step: number): Promise<void> {
    await this.usedSteps.deleteByQuery({
      query: { bool: { filter: [{ term: { kuid } }, { range: { step: { lt: step } } }] } },
    });
  }

  private async forgetSteps(kuid: string): Promise<void> {
    await this.usedSteps.deleteByQuery({ query: { term: { kuid } } });
  }
}
