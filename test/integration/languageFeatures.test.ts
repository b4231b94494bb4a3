/**
 * The language features a user sees on the fixture workspace, one `describe` per feature. Tests read like
 * the feature's spec: open a fixture (openFixture), find the place (positionOf / rangeOf), ask the editor
 * (completionsAt, hoverTextAt, codeActionsAt + applyCodeAction, waitForDiagnostics), assert what the user
 * sees. Tag a test `@restricted` when it must also hold in an untrusted workspace.
 *
 * To come with the language server:
 * - Diagnostics on storage-no-type.yaml (missing `type`) and on cluster.yaml / storage.yaml.
 * - Completion of `type:` values in storage.yaml (s3Compatible among them).
 * - Hover on `cronSchedule` in cluster.yaml (the schedule in words: 05:00 UTC).
 * - Quick fix for the missing `type` in storage-no-type.yaml, applied with applyCodeAction.
 * - The StackGres snippets offered in an empty YAML document.
 */
describe('Completion', () => {});
describe('Hover', () => {});
describe('Quick fixes', () => {});
describe('Snippets', () => {});
