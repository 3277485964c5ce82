import { expect } from 'chai';
import { connect } from 'node:net';
import { createServer } from 'node:tls';
import { ListenError } from '../../src/adapters/transports/listener.js';
import { TcpListener } from '../../src/adapters/transports/tcp-listener.js';
import { NullLogger } from '../support/fakes/null-logger.js';
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

  it('refuses a non-loopback address unless allowed', async () => {
    const listener = new TcpListener('0.0.0.0:0', false, new NullLogger());
    let refused: unknown;
    try {
      await listener.listen(createServer());
    } catch (error) {
      refused = error;
    }
    expect(refused).to.be.instanceOf(ListenError);
    expect((refused as Error).message).to.contain("non-loopback address '0.0.0.0'");
  });

  it('listens on a non-loopback address when allowed, with a warning', async () => {
    const logger = new RecordingLoggerFake();
    const listener = new TcpListener('0.0.0.0:0', true, logger);
    await listener.listen(createServer());
    await listener.close();
    expect(logger.lines.filter((line) => line.level === 'warn').map((line) => line.message).join('\n')).to.contain('non-loopback');
  });
});
