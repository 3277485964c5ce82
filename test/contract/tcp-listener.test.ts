import { expect } from 'chai';
import { connect } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { ListenError } from '../../src/adapters/transports/listener.js';
import { isLoopback, TcpListener } from '../../src/adapters/transports/tcp-listener.js';
import { NullLogger } from '../support/fakes/null-logger.js';
import { canBindIpv6Loopback } from '../support/ipv6-loopback.js';
import { RecordingLoggerFake } from '../support/fakes/recording-logger-fake.js';
import { transportContract } from './transport.contract.js';

transportContract('TcpListener', async () => {
  const listener = new TcpListener('localhost:0', false, new NullLogger());
  const port = () => Number(listener.address().split(':').pop());
  return {
    listener,
    restrictable: false,
    sameAddress: () => new TcpListener(`127.0.0.1:${port()}`, false, new NullLogger()),
    rawConnect: () => connect(port(), '127.0.0.1'),
  };
});

describe('TcpListener specifics', () => {
  it('binds localhost to 127.0.0.1 and reports the real port', async () => {
    const listener = new TcpListener('localhost:0', false, new NullLogger());
    await listener.listen(createServer());
    try {
      expect(listener.address()).to.match(/^127\.0\.0\.1:\d+$/);
      expect(listener.address()).not.to.equal('127.0.0.1:0');
    } finally {
      await listener.close();
    }
  });

  it('listens on a non-loopback address when allowed, with a warning', async () => {
    const logger = new RecordingLoggerFake();
    const listener = new TcpListener('0.0.0.0:0', true, logger);
    const server = recordingServer();
    await listener.listen(server.asServer);
    await listener.close();
    expect(server.asked).to.deep.equal([[0, '0.0.0.0']]);
    expect(logger.lines.filter((line) => line.level === 'warn').map((line) => line.message).join('\n')).to.contain('non-loopback');
  });
});

/**
 * A server that only records where it was asked to listen, so that the tests of non-loopback
 * addresses open nothing on the network, even against a listener that wrongly accepts them.
 */
function recordingServer(): { asked: unknown[][]; asServer: Server } {
  const asked: unknown[][] = [];
  const server = {
    once: () => server,
    off: () => server,
    listen: (...args: unknown[]) => {
      asked.push(args.slice(0, 2));
      (args.find((arg) => typeof arg === 'function') as (() => void) | undefined)?.();
      return server;
    },
    address: () => null,
    close: (done?: () => void) => done?.(),
  };
  return { asked, asServer: server as unknown as Server };
}

describe('TcpListener binds loopback only, unless allow_remote', () => {
  /** Every interface, or an address other hosts can reach: refused without allow_remote. */
  const REFUSED: ReadonlyArray<[address: string, host: string]> = [
    ['0.0.0.0:0', '0.0.0.0'],
    ['[::]:0', '::'],
    ['[::]:50051', '::'],
    ['[::0]:0', '::0'],
    ['[0:0:0:0:0:0:0:0]:0', '0:0:0:0:0:0:0:0'],
    ['[fe80::1]:0', 'fe80::1'],
    ['[fe80::1%lo]:0', 'fe80::1%lo'],
    ['[2001:db8::1]:0', '2001:db8::1'],
    ['[::ffff:10.0.0.1]:0', '::ffff:10.0.0.1'],
    ['[::ffff:0.0.0.0]:0', '::ffff:0.0.0.0'],
    ['10.0.0.1:0', '10.0.0.1'],
    ['example.com:0', 'example.com'],
  ];
  for (const [address, host] of REFUSED) {
    it(`refuses ${address} and does not listen`, async () => {
      const listener = new TcpListener(address, false, new NullLogger());
      const server = recordingServer();
      let refused: unknown;
      try {
        await listener.listen(server.asServer);
      } catch (error) {
        refused = error;
      } finally {
        await listener.close();
      }
      expect(server.asked, 'asked to listen').to.deep.equal([]);
      expect(refused).to.be.instanceOf(ListenError);
      expect((refused as Error).message).to.contain(`non-loopback address '${host}'`).and.to.contain('allow_remote');
    });
  }

  it("refuses '::' written without brackets, which is no host:port at all", () => {
    expect(() => new TcpListener(':::0', false, new NullLogger())).to.throw(ListenError, 'not a host:port address');
  });

  const ACCEPTED = ['127.0.0.1:0', '127.0.0.2:0', '127.255.255.254:0', 'localhost:0'];
  for (const address of ACCEPTED) {
    it(`listens on loopback ${address}`, async () => {
      const listener = new TcpListener(address, false, new NullLogger());
      await listener.listen(createServer());
      try {
        expect(listener.address()).to.match(/^127\.\d+\.\d+\.\d+:[1-9]\d*$/);
      } finally {
        await listener.close();
      }
    });
  }

  it('listens on IPv6 loopback [::1]', async function () {
    if (!(await canBindIpv6Loopback())) {
      console.log('      skipped: this machine cannot bind ::1');
      this.skip();
    }
    const listener = new TcpListener('[::1]:0', false, new NullLogger());
    await listener.listen(createServer());
    try {
      expect(listener.address()).to.match(/^\[::1\]:[1-9]\d*$/);
    } finally {
      await listener.close();
    }
  });

  it('calls loopback exactly 127.0.0.0/8, ::1 and localhost', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(host), host).to.equal(true);
    const elsewhere = ['::', '::0', '0::0', '0.0.0.0', 'fe80::1', '2001:db8::1', '::ffff:10.0.0.1', '::ffff:0.0.0.0', '128.0.0.1', '1.127.0.0', '127.0.0.1.example.com', ''];
    for (const host of elsewhere) expect(isLoopback(host), host).to.equal(false);
  });
});
