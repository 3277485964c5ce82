import { expect } from 'chai';
import { humanLogLine } from '../../../src/adapters/logging/human-log-line.js';

describe('humanLogLine', () => {
  it("turns pino's JSON into time, level, message and key=value fields", () => {
    const json = JSON.stringify({ level: 40, time: Date.UTC(2026, 11, 1, 6, 0, 0), name: 'multipassd', msg: 'refused', peer: 'uid 1000 (bob)', count: 3 });
    expect(humanLogLine(`${json}\n`)).to.equal('2026-12-01T06:00:00.000Z WARN  refused peer="uid 1000 (bob)" count=3\n');
  });

  it('passes a line that is not JSON through as it is', () => {
    expect(humanLogLine('not json')).to.equal('not json\n');
  });
});
