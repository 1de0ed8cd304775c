// Errors across the IPC channel: the kit's own verification error comes back as the same class the
// child threw (so the parent matches it by class), anything else as a RemoteError under its name.
import { describe, expect, it } from 'vitest';
import { VerificationError } from '../verification.js';
import { RemoteError, reviveError } from './ipc.js';

describe('reviveError', () => {
  it('gives back a VerificationError as itself, with the child named and its stack kept', () => {
    const thrown = new VerificationError('3 echoes differed from what was sent');
    const revived = reviveError('echo-load[rxjs]', { name: thrown.name, message: thrown.message, stack: thrown.stack ?? '' });
    expect(revived).toBeInstanceOf(VerificationError);
    expect(revived.message).toBe('echo-load[rxjs]: 3 echoes differed from what was sent');
    expect(revived.stack).toBe(thrown.stack);
  });

  it('gives back any other error as a RemoteError under the name the child gave it', () => {
    const revived = reviveError('workflow[fp-ts]', { name: 'TypeError', message: 'payload.port must be a number', stack: 'TypeError: ...' });
    expect(revived).toBeInstanceOf(RemoteError);
    expect(revived).not.toBeInstanceOf(VerificationError);
    expect(revived.name).toBe('TypeError');
    expect((revived as RemoteError).remoteStack).toBe('TypeError: ...');
  });

  it('does not take an inherited property for a known error', () => {
    expect(reviveError('x', { name: 'constructor', message: 'm', stack: '' })).toBeInstanceOf(RemoteError);
  });
});
