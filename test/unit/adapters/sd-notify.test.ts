import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { sendUnixDatagram, SystemdNotifier, unixSocketAddress } from '../../../src/adapters/system/sd-notify.js';
import { RecordingLoggerFake } from '../../support/fakes/recording-logger-fake.js';
import { bindNotifySocket, type NotifySocket } from '../../support/notify-socket.js';
import { makeTempDir } from '../../support/temp-dir.js';

describe('SystemdNotifier (sd_notify)', () => {
  describe('the socket address', () => {
    it('ends a path with a NUL and counts it in the length', () => {
      const { address, length } = unixSocketAddress('/run/systemd/notify');
      expect(address.readUInt16LE(0)).to.equal(1);
      expect(address.subarray(2, length).toString()).to.equal('/run/systemd/notify\0');
    });

    it('puts an abstract name after a leading NUL, without a terminator', () => {
      const { address, length } = unixSocketAddress('@my/notify');
      expect(address.subarray(2, length).toString()).to.equal('\0my/notify');
    });

    it('refuses a relative name and one too long for sun_path', () => {
      expect(() => unixSocketAddress('notify')).to.throw(/unsupported NOTIFY_SOCKET/);
      expect(() => unixSocketAddress(`/${'x'.repeat(107)}`)).to.throw(/too long/);
      expect(() => unixSocketAddress(`@${'x'.repeat(108)}`)).to.throw(/too long/);
    });
  });

  describe('on a real datagram socket', function () {
    let temp: ReturnType<typeof makeTempDir>;
    let listener: NotifySocket | undefined;

    before(function () {
      if (process.platform !== 'linux') {
        console.log('      skipped: sd_notify is Linux-only');
        this.skip();
      }
    });
    beforeEach(() => (temp = makeTempDir()));
    afterEach(() => {
      listener?.close();
      listener = undefined;
      temp.remove();
    });

    for (const kind of ['path', 'abstract'] as const) {
      it(`sends READY=1 with a status, then STOPPING=1, to a ${kind} socket`, async () => {
        const name = kind === 'path' ? join(temp.path, 'notify') : `@mpa-test-${randomBytes(6).toString('hex')}`;
        listener = bindNotifySocket(name);
        const logger = new RecordingLoggerFake();
        const notifier = SystemdNotifier.fromEnvironment({ NOTIFY_SOCKET: name }, logger);

        notifier.ready('listening on unix:/x\nwith a second line');
        notifier.stopping('stopping');

        expect(await listener.waitFor('READY=1')).to.equal('READY=1\nSTATUS=listening on unix:/x with a second line');
        expect(await listener.waitFor('STOPPING=1')).to.equal('STOPPING=1\nSTATUS=stopping');
        expect(listener.messages()).to.have.length(2);
        expect(logger.lines).to.deep.equal([]);
      });
    }

    it('throws when nobody listens at the socket', () => {
      expect(() => sendUnixDatagram(join(temp.path, 'absent'), 'READY=1')).to.throw(/sendto .* failed \(errno \d+\)/);
    });
  });

  it('does nothing without NOTIFY_SOCKET', () => {
    const sent: string[] = [];
    const notifier = new SystemdNotifier(undefined, new RecordingLoggerFake(), (_name, message) => sent.push(message));
    notifier.ready('listening');
    notifier.stopping('stopping');
    expect(sent).to.deep.equal([]);
    const logger = new RecordingLoggerFake();
    SystemdNotifier.fromEnvironment({ NOTIFY_SOCKET: '' }, logger).ready('listening');
    expect(logger.lines, 'an empty NOTIFY_SOCKET is no socket, not a bad one').to.deep.equal([]);
  });

  it('logs a failure to notify instead of throwing: the daemon runs the same without systemd', () => {
    const logger = new RecordingLoggerFake();
    const notifier = new SystemdNotifier('/nowhere', logger, () => {
      throw new Error('sendto failed');
    });
    notifier.ready('listening');
    expect(logger.lines.map((entry) => entry.message)).to.deep.equal(['cannot notify the service manager']);
  });
});
