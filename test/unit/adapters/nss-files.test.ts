import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesComeFirst, filesFirstEntry } from '../../../src/adapters/system/nss-files.js';
import { makeTempDir } from '../../support/temp-dir.js';

describe("account lookups from /etc without getent (when glibc would answer from the files)", () => {
  it('trusts the files only when nsswitch.conf names files first, plainly', () => {
    expect(filesComeFirst('passwd: files systemd\ngroup:          files systemd\n', 'group')).to.equal(true);
    expect(filesComeFirst('group: files\n', 'group')).to.equal(true);
    expect(filesComeFirst('group: sss files\n', 'group'), 'another source first').to.equal(false);
    expect(filesComeFirst('group: files [NOTFOUND=return] sss\n', 'group'), 'an action after files').to.equal(false);
    expect(filesComeFirst('group: compat\n', 'group'), 'compat (+/- entries)').to.equal(false);
    expect(filesComeFirst('# group: files\npasswd: files\n', 'group'), 'no line for the database').to.equal(false);
    expect(filesComeFirst('group: files\n', 'passwd')).to.equal(false);
  });

  describe('with an /etc of its own', () => {
    let etc: ReturnType<typeof makeTempDir>;
    beforeEach(() => {
      etc = makeTempDir('mpa-nss-');
      writeFileSync(join(etc.path, 'group'), 'root:x:0:\nsudo:x:27:alice\nsudo:x:99:\n');
      writeFileSync(join(etc.path, 'passwd'), 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n');
    });
    afterEach(() => etc.remove());

    it('answers by name or id from the file, first match, when files come first', async () => {
      writeFileSync(join(etc.path, 'nsswitch.conf'), 'passwd: files systemd\ngroup: files systemd\n');
      expect(await filesFirstEntry('group', 'sudo', etc.path)).to.deep.equal(['sudo', 'x', '27', 'alice']);
      expect(await filesFirstEntry('group', '0', etc.path)).to.deep.equal(['root', 'x', '0', '']);
      expect((await filesFirstEntry('passwd', '1000', etc.path))?.[0]).to.equal('alice');
    });

    it('leaves to getent what the file does not hold, and everything when another source comes first', async () => {
      writeFileSync(join(etc.path, 'nsswitch.conf'), 'group: files sss\n');
      expect(await filesFirstEntry('group', 'ldap-admins', etc.path)).to.equal(undefined);
      writeFileSync(join(etc.path, 'nsswitch.conf'), 'group: sss files\n');
      expect(await filesFirstEntry('group', 'sudo', etc.path)).to.equal(undefined);
    });

    it('leaves it to getent when there is no nsswitch.conf', async () => {
      expect(await filesFirstEntry('group', 'sudo', etc.path)).to.equal(undefined);
    });
  });
});
