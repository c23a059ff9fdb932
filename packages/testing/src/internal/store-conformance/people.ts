/**
 * The dataset the query sections share. Chosen for the edge cases: arrays (and a scalar where others have
 * arrays), nested objects, values of one field in several JSON types ("1", 1, true, "true", 1.5), explicit
 * nulls, empty arrays and objects, and documents lacking fields.
 */
import type { CollectionSpec, DocumentCollection, JsonObject } from '@tessera/plugin-sdk';

export const PEOPLE: Readonly<Record<string, JsonObject>> = {
  ada: {
    name: 'Ada Lovelace',
    age: 36,
    tags: ['math', 'poetry'],
    active: true,
    code: '1',
    address: { city: 'London', zip: 'W1' },
    ratings: [5, 4],
  },
  alan: {
    name: 'Alan Turing',
    age: 41,
    tags: ['math', 'crypto'],
    active: false,
    code: 1,
    address: { city: 'Wilmslow' },
    ratings: [3],
  },
  grace: {
    name: 'Grace Hopper',
    age: 85,
    tags: ['navy', 'cobol'],
    active: true,
    code: 'true',
    address: { city: 'New York' },
    nickname: null,
  },
  linus: {
    name: 'Linus Torvalds',
    age: 54,
    tags: [],
    active: 'true',
    code: true,
    nickname: 'torvalds',
    ratings: [1, 2],
  },
  margaret: {
    name: 'Margaret Hamilton',
    age: 88,
    tags: 'apollo',
    active: true,
    code: 1.5,
    address: { city: 'Boston', zip: null },
  },
  edsger: { name: 'Edsger Dijkstra', tags: [null], active: false, address: {}, ratings: [] },
};

export const EVERYONE = Object.keys(PEOPLE).sort();

/** The fields of PEOPLE that hold scalars in every document, declared unique or indexed. */
export const PEOPLE_DECLARED: CollectionSpec = {
  unique: ['name', 'address.city'],
  indexed: ['age', 'active', 'code', 'nickname', 'address.zip'],
};

export async function seedPeople(people: DocumentCollection): Promise<void> {
  for (const [id, source] of Object.entries(PEOPLE)) await people.create(source, id);
}
