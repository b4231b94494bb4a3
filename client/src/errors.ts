/** A problem the user can act on, said in their words: shown as is, without "failed" wrapping or a stack. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(message: string, readonly action?: { title: string; command: string; args?: unknown[] }) {
    super(message);
  }
}

/** The user dismissed a prompt or pressed Cancel: the command stops quietly. */
export class Cancelled extends Error {
  override readonly name = 'Cancelled';
  constructor() {
    super('cancelled');
  }
}
