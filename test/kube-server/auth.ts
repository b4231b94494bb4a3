// Bearer-token users and what each may do, with the API server's 401/403 responses.
import * as crypto from 'node:crypto';
import type { ResourceType } from './resources';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface UserOptions {
  name: string;
  /** The bearer token; a random one when omitted. */
  token?: string;
  /** `admin`: everything; `reader`: get/list/watch; or a function deciding each request. */
  access: 'admin' | 'reader' | { denyResources?: string[]; verbs?: Verb[] } | ((verb: Verb, type: ResourceType, namespace?: string) => boolean);
}

export interface User {
  name: string;
  token: string;
  can(verb: Verb, type: ResourceType, namespace?: string): boolean;
}

const READ_VERBS: Verb[] = ['get', 'list', 'watch'];

export const DEFAULT_USERS: UserOptions[] = [
  { name: 'admin', access: 'admin' },
  { name: 'reader', access: 'reader' },
  { name: 'no-backups', access: { denyResources: ['sgbackups'] } },
];

export function makeUsers(options: UserOptions[]): User[] {
  return options.map((u) => {
    const token = u.token ?? `${u.name}-${crypto.randomBytes(12).toString('hex')}`;
    const access = u.access;
    let can: User['can'];
    if (access === 'admin') {
      can = () => true;
    } else if (access === 'reader') {
      can = (verb) => READ_VERBS.includes(verb);
    } else if (typeof access === 'function') {
      can = access;
    } else {
      can = (verb, type) => !(access.denyResources ?? []).includes(type.plural) && (!access.verbs || access.verbs.includes(verb));
    }
    return { name: u.name, token, can };
  });
}

export const ANONYMOUS: User = { name: 'system:anonymous', token: '', can: () => true };
