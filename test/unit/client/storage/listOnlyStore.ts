/** A store in memory that only lists (as scripted by the test); every other request is a test bug. */
import type { ListOptions, ListPage, ObjectStore } from '../../../../client/src/storage/objectStore';

const unused = (): Promise<never> => Promise.reject(new Error('unused'));

export function listOnlyStore(bucket: string, list: (o: ListOptions) => Promise<ListPage>): ObjectStore {
  return { bucket, list, head: unused, get: unused, put: unused, delete: unused, getBucketLocation: unused };
}
