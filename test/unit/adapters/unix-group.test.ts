import { expect } from 'chai';
import { groupId, resolveAdminGroup } from '../../../src/adapters/transports/unix-group.js';

describe('the admin group of the Unix socket', () => {
  const only = (groups: Record<string, number>) => async (name: string) => groups[name];

  it('is the configured group when it exists', async () => {
    expect(await resolveAdminGroup('staff', only({ staff: 50, sudo: 27 }))).to.deep.equal({ name: 'staff', gid: 50 });
  });

  it('refuses a configured group that does not exist, rather than falling back', async () => {
    let refused: unknown;
    await resolveAdminGroup('nope', only({ sudo: 27 })).catch((error: unknown) => (refused = error));
    expect((refused as Error).message).to.equal("socket group 'nope' does not exist");
  });

  it('is otherwise the first of sudo, admin, wheel that exists', async () => {
    expect(await resolveAdminGroup(undefined, only({ wheel: 10, admin: 80, sudo: 27 }))).to.deep.equal({ name: 'sudo', gid: 27 });
    expect(await resolveAdminGroup(undefined, only({ wheel: 10, admin: 80 }))).to.deep.equal({ name: 'admin', gid: 80 });
    expect(await resolveAdminGroup(undefined, only({ wheel: 10 }))).to.deep.equal({ name: 'wheel', gid: 10 });
    expect(await resolveAdminGroup(undefined, only({}))).to.equal(undefined);
  });

  it('resolves real group names through the system (root is gid 0)', async () => {
    expect(await groupId('root')).to.equal(0);
    expect(await groupId('no-such-group-xyz')).to.equal(undefined);
  });
});
