import { expect } from 'chai';
import { formatDuration, parseDuration } from '../../../src/domain/duration.js';

describe('durations', () => {
  it('reads what admins type: 30s, 15m, 2h, 7d, 1h30m, and a bare number as seconds', () => {
    expect(parseDuration('30s')).to.equal(30_000);
    expect(parseDuration('15m')).to.equal(15 * 60_000);
    expect(parseDuration('2H')).to.equal(2 * 3_600_000);
    expect(parseDuration('7d')).to.equal(7 * 86_400_000);
    expect(parseDuration('1h30m')).to.equal(90 * 60_000);
    expect(parseDuration(' 90 ')).to.equal(90_000);
  });

  it('refuses anything else', () => {
    for (const text of ['', 'm', '1.5h', '-5m', '15 m', '15min', '1w', '1e3s']) {
      expect(parseDuration(text), text).to.equal(undefined);
    }
  });

  it('writes the shortest text that reads back the same', () => {
    for (const ms of [0, 1000, 45_000, 15 * 60_000, 90 * 60_000, 7 * 86_400_000, 86_400_000 + 1000]) {
      expect(parseDuration(formatDuration(ms)), formatDuration(ms)).to.equal(ms);
    }
    expect(formatDuration(90 * 60_000)).to.equal('1h30m');
    expect(formatDuration(999)).to.equal('0s');
  });
});
