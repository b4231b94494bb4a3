/** A cluster's CRD schema is untrusted: its patterns never reach the main thread's schema. */
import * as assert from 'node:assert/strict';
import { withoutPatterns } from '../../../server/src/schema/schemaStore';

describe("the main thread's copy of a cluster's schema", () => {
  it('leaves out every pattern keyword, at any depth, and keeps a property named pattern', () => {
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string', pattern: '^(a+)+$' },
        pattern: { type: 'string', description: 'a field called pattern' },
        list: { type: 'array', items: { type: 'string', pattern: '^x+$' } },
        map: { type: 'object', additionalProperties: { type: 'string', pattern: '(b|b)*c' } },
        choice: { anyOf: [{ pattern: 'y*' }, { type: 'integer' }] },
      },
      patternProperties: { '^(a+)+$': { type: 'string' } },
    };
    assert.deepEqual(withoutPatterns(schema), {
      type: 'object',
      properties: {
        name: { type: 'string' },
        pattern: { type: 'string', description: 'a field called pattern' },
        list: { type: 'array', items: { type: 'string' } },
        map: { type: 'object', additionalProperties: { type: 'string' } },
        choice: { anyOf: [{}, { type: 'integer' }] },
      },
    });
  });
});
