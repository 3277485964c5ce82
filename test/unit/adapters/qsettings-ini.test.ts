import { expect } from 'chai';
import fc from 'fast-check';
import { escapeKey, escapeValue, unescapeKey, unescapeValue } from '../../../src/adapters/stores/qsettings-ini.js';

/** What Qt's QSettings (IniFormat) writes for these keys and values, and reads back. */
describe('QSettings INI escaping', () => {
  it('writes keys as QSettings does: plain [A-Za-z0-9_.-], / as \\, the rest %XX or %UXXXX', () => {
    expect(escapeKey('local.passphrase')).to.equal('local.passphrase');
    expect(escapeKey('a b=c')).to.equal('a%20b%3Dc');
    expect(escapeKey('é✓')).to.equal('%E9%U2713');
    expect(escapeKey('group/key')).to.equal('group\\key');
  });

  it('reads keys back, leaving a % that starts no escape as it is', () => {
    expect(unescapeKey('a%20b%3Dc')).to.equal('a b=c');
    expect(unescapeKey('%E9%U2713')).to.equal('é✓');
    expect(unescapeKey('group\\key')).to.equal('group/key');
    expect(unescapeKey('100%')).to.equal('100%');
    expect(unescapeKey('%zz')).to.equal('%zz');
  });

  it('writes a hex hash plainly and quotes values holding a comma, semicolon or equals sign, or edge spaces', () => {
    expect(escapeValue('ab'.repeat(64))).to.equal('ab'.repeat(64));
    expect(escapeValue('scrypt$N=32768,r=8,p=3$c2FsdA==$a2V5')).to.equal('"scrypt$N=32768,r=8,p=3$c2FsdA==$a2V5"');
    expect(escapeValue('a;b')).to.equal('"a;b"');
    expect(escapeValue(' padded')).to.equal('" padded"');
    expect(escapeValue('')).to.equal('');
  });

  it('escapes control characters, quotes and backslashes, and a hex digit after a \\x escape', () => {
    expect(escapeValue('a\tb\nc\r"d"\\')).to.equal('a\\tb\\nc\\r\\"d\\"\\\\');
    expect(escapeValue('\u0001a')).to.equal('\\x1\\x61');
    expect(escapeValue('\0' + '7')).to.equal('\\0\\x37');
  });

  it('doubles a leading @, which QSettings keeps for typed values', () => {
    expect(escapeValue('@home')).to.equal('@@home');
    expect(unescapeValue('@@home')).to.deep.equal({ value: '@home' });
    expect(unescapeValue('@mention')).to.deep.equal({ value: '@mention' });
  });

  it('reads values as QSettings does: blanks around dropped, quotes and escapes undone', () => {
    expect(unescapeValue('  plain text \t')).to.deep.equal({ value: 'plain text' });
    expect(unescapeValue(' "  kept  " ')).to.deep.equal({ value: '  kept  ' });
    expect(unescapeValue('"a;b,c=d"')).to.deep.equal({ value: 'a;b,c=d' });
    expect(unescapeValue('\\x41\\102\\q')).to.deep.equal({ value: 'AB' });
  });

  it('reports what QSettings would not read as one string: lists and typed values', () => {
    expect(unescapeValue('a, b')).to.have.property('problem').that.contains('list');
    expect(unescapeValue('@ByteArray(abc)')).to.have.property('problem').that.contains('@ByteArray(');
  });

  it('reads back every string and key it writes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(unescapeValue(escapeValue(text))).to.deep.equal({ value: text });
        expect(unescapeKey(escapeKey(text))).to.equal(text);
      }),
      { numRuns: 500 },
    );
  });
});
