/**
 * An edit reuses the checks and parses of the documents whose text it did not change (documents.ts,
 * validation.ts): each new document is matched to the previous version's document with the same text,
 * wherever it moved, and a changed one to none.
 */
import * as assert from 'node:assert/strict';
import { matchTexts } from '../../../server/src/documents';

describe('matching documents to the previous version', () => {
  const match = (prev: string[], next: string[]) => [...matchTexts(prev, next)];

  it('matches unchanged documents around an edited one and not the edited one', () => {
    assert.deepEqual(match(['a', 'b', 'c', 'd'], ['a', 'b', 'X', 'd']), [0, 1, -1, 3]);
  });

  it('follows documents inserted, removed and moved', () => {
    assert.deepEqual(match(['a', 'b', 'c'], ['a', 'new', 'b', 'c']), [0, -1, 1, 2]);
    assert.deepEqual(match(['a', 'b', 'c', 'd'], ['a', 'd']), [0, 3]);
    assert.deepEqual(match(['a', 'b', 'c', 'd'], ['a', 'c', 'b', 'd']), [0, 2, 1, 3]);
    assert.deepEqual(match(['a', 'b'], ['b', 'a']), [1, 0]);
  });

  it('matches repeated texts, and nothing when everything changed', () => {
    assert.deepEqual(match(['a', 'a', 'b'], ['b', 'a', 'a', 'a']), [2, 0, 0, 0]);
    assert.deepEqual(match(['a', 'b'], ['c', 'd', 'e']), [-1, -1, -1]);
    assert.deepEqual(match([], ['a']), [-1]);
    assert.deepEqual(match(['a'], []), []);
  });

  it('compares text, not identity: a slice of a new version matches the old copy', () => {
    const old = 'kind: SGCluster\n---\nkind: Secret\n';
    const edited = `# note\n${old}`;
    assert.deepEqual(match(old.split('---\n'), edited.slice(7).split('---\n')), [0, 1]);
  });
});
