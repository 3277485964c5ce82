import { status, type Client } from '@grpc/grpc-js';
import { expect } from 'chai';
import { PASSPHRASE_SET_MARKER } from '../../src/domain/daemon-settings.js';
import { wirePing, wireStream } from '../support/grpc-wire-client.js';
import { makeTestCertificate } from '../support/test-certificates.js';
import { COMBINATIONS, label, startCompatDaemon, type CompatDaemon } from './compat-daemon.js';

const NOT_AUTHENTICATED =
  "The client is not authenticated with the Multipass service.\nPlease use 'multipass authenticate' before proceeding.";

/** Half-closes a streaming call without writing a request, as a client that sends nothing would. */
function emptyStream(client: Client, method: string): Promise<{ code: status; replies: Array<Record<string, unknown>> }> {
  return new Promise((resolve) => {
    const call = (client as unknown as Record<string, () => NodeJS.ReadWriteStream & { on: Function }>)[method]!.call(client);
    const replies: Array<Record<string, unknown>> = [];
    call.on('data', (reply: Record<string, unknown>) => replies.push(reply));
    call.on('error', () => undefined);
    call.on('status', (result: { code: status }) => resolve({ code: result.code, replies }));
    call.end();
  });
}

for (const combination of COMBINATIONS) {
  describe(`compat: wire answers as Multipass gives them (${label(combination)})`, function () {
    this.timeout(60_000);
    let d: CompatDaemon;

    beforeEach(async () => {
      d = await startCompatDaemon(combination);
    });
    afterEach(async () => {
      await d.stop();
    });

    it('answers get local.passphrase with an empty value while unset and a non-secret marker once set', async () => {
      const admin = d.client(d.admin);
      expect((await wireStream(admin, 'get', { key: 'local.passphrase' })).replies.at(-1)?.value).to.equal('');
      expect((await wireStream(admin, 'set', { key: 'local.passphrase', val: 'correct horse' })).code).to.equal(status.OK);
      const got = await wireStream(admin, 'get', { key: 'local.passphrase' });
      expect(got.replies.at(-1)?.value).to.equal(PASSPHRASE_SET_MARKER).and.not.to.equal('');
      expect(JSON.stringify(got)).not.to.contain('correct horse').and.not.to.contain('scrypt');
    });

    it('refuses an untrusted caller with both lines of Multipass’s text on every trust-requiring method', async () => {
      const stranger = d.client(await makeTestCertificate('stranger'));
      const ping = await wirePing(stranger);
      expect([ping.code, ping.details]).to.deep.equal([status.UNAUTHENTICATED, NOT_AUTHENTICATED]);
      for (const method of ['version', 'list', 'get', 'set', 'keys']) {
        const outcome = await wireStream(stranger, method, { key: 'local.passphrase', val: 'x' });
        expect([outcome.code, outcome.details], method).to.deep.equal([status.UNAUTHENTICATED, NOT_AUTHENTICATED]);
      }
    });

    it('never refuses a first authenticate for load: ten at once with the right passphrase all get in', async () => {
      expect((await wireStream(d.client(d.admin), 'set', { key: 'local.passphrase', val: 'pw' })).code).to.equal(status.OK);
      const newcomers = await Promise.all(Array.from({ length: 10 }, () => makeTestCertificate('newcomer')));
      const outcomes = await Promise.all(newcomers.map((cert) => wireStream(d.client(cert), 'authenticate', { passphrase: 'pw' })));
      expect(outcomes.map((o) => o.code)).to.deep.equal(newcomers.map(() => status.OK));
    });

    it('streams log lines before the final reply at verbosity 3 and more, and none below', async () => {
      const admin = d.client(d.admin);
      const quiet = await wireStream(admin, 'version', { verbosity_level: 2 });
      expect(quiet.replies.filter((r) => r.log_line !== '')).to.deep.equal([]);
      const chatty = await wireStream(admin, 'version', { verbosity_level: 3 });
      expect(chatty.replies.length).to.be.greaterThan(1);
      expect(chatty.replies.slice(0, -1).every((r) => typeof r.log_line === 'string' && r.log_line !== '')).to.equal(true);
      expect(chatty.replies.at(-1)?.version).to.match(/^\d+\.\d+\.\d+/);
    });

    it('serves an empty request stream with a default request', async () => {
      const admin = d.client(d.admin);
      const version = await emptyStream(admin, 'version');
      expect(version.code).to.equal(status.OK);
      expect(version.replies.at(-1)?.version).to.match(/^\d+\.\d+\.\d+/);
      expect((await emptyStream(admin, 'list')).code).to.equal(status.OK);
    });

    it('serves keys, and list with the instance or the snapshot reply shape', async () => {
      const admin = d.client(d.admin);
      expect((await wireStream(admin, 'keys', {})).replies.at(-1)?.settings_keys).to.deep.equal(['local.passphrase']);
      expect((await wireStream(admin, 'list', { snapshots: true })).replies.at(-1)).to.include({ list_contents: 'snapshot_list' });
      expect((await wireStream(admin, 'list', { request_ipv4: true })).replies.at(-1)).to.include({ list_contents: 'instance_list' });
    });
  });
}

for (const combination of COMBINATIONS.filter((c) => c.transport === 'unix')) {
  describe(`compat: ping only verifies (${label(combination)})`, function () {
    this.timeout(60_000);

    it('never trusts a caller on ping, not even the first one on an empty store; the next other call does', async () => {
      const d = await startCompatDaemon(combination, { bootstrap: false });
      try {
        const first = d.client(d.admin);
        expect((await wirePing(first)).code).to.equal(status.UNAUTHENTICATED);
        expect((await wirePing(first)).code, 'still not trusted').to.equal(status.UNAUTHENTICATED);
        expect((await wireStream(first, 'list', {})).code).to.equal(status.OK);
        expect((await wirePing(first)).code).to.equal(status.OK);
      } finally {
        await d.stop();
      }
    });
  });
}
