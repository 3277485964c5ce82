import { expect } from 'chai';
import fc from 'fast-check';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IniFileSettingsStore } from '../../src/adapters/stores/ini-file-settings-store.js';
import { AuthError, type AuthErrorCode } from '../../src/domain/auth-error.js';
import { NullLogger } from '../support/fakes/null-logger.js';
import { makeTempDir } from '../support/temp-dir.js';
import { propertyRuns } from './property-runs.js';

/** Keys and values that mean something to INI, to QSettings' `section.key` or to JS objects. */
const TRICKY = [
  'local.passphrase', 'local.x', 'a', 'a.b', 'a.b.c', '.a', 'a.', '__proto__', 'local.__proto__', '__proto__.x', 'constructor',
  'toString', '[x]', 'a=b', ';c', '#d', ' k ', 'k[]', '"q"', "'q'", 'true', 'null', '\\', 'a\\.b', '',
];
const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 12 });
const key = fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 6 }));
const value = fc.oneof(
  fc.constantFrom(...TRICKY, ' pad ', 'a;b', 'a#b', '\\;', '"x', '\n', '\r\n', '\u0000', '=', 'x=y', '[a]'),
  fc.string({ unit: 'binary', maxLength: 30 }),
  anyUtf16,
);

/** Lines that look like INI, glued at random, plus invalid UTF-8: what a damaged or hand-edited file holds. */
const INI_PIECES = ['[local]', '[', ']', '=', 'passphrase', '__proto__', 'constructor', '\n', '\r\n', ';', '#', '"', "'", '\\', '[]', 'true', 'null', ' ', '\t', '.', 'a', '\u0000', 'é'];
const iniName = fc.stringMatching(/^[A-Za-z0-9_.-]{1,8}$/);
const iniLine = fc.oneof(
  { arbitrary: fc.tuple(iniName, fc.constantFrom('=', ' = '), fc.string({ maxLength: 12 })).map((parts) => parts.join('')), weight: 3 },
  fc.constantFrom('; a comment', '# a comment', '', '   '),
  iniName.map((name) => `[${name}]`),
);
/** A file a person could have written: sections, key=value lines, comments, either line ending. */
const handWritten = fc
  .tuple(fc.array(iniLine, { maxLength: 8 }), fc.constantFrom('\n', '\r\n'))
  .map(([lines, eol]) => Buffer.from(lines.map((line) => line + eol).join(''), 'utf8'));
const fileBytes = fc.oneof(
  { arbitrary: handWritten, weight: 2 },
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc
    .array(fc.oneof(fc.constantFrom(...INI_PIECES).map((text) => Buffer.from(text, 'utf8')), fc.uint8Array({ maxLength: 3 }).map((b) => Buffer.from(b))), {
      maxLength: 30,
    })
    .map((pieces) => Buffer.concat(pieces)),
);

type Op = { kind: 'set'; key: string; value: string } | { kind: 'delete'; key: string };
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('set' as const), key, value }), weight: 4 },
  fc.record({ kind: fc.constant('delete' as const), key }),
);

describe('INI settings store properties', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let runs = 0;
  before(() => (temp = makeTempDir('mpa-prop-')));
  after(() => temp.remove());

  const fileIn = (bytes?: Buffer) => {
    const dir = join(temp.path, String((runs += 1)));
    mkdirSync(dir);
    const file = join(dir, 'multipassd.conf');
    if (bytes !== undefined) writeFileSync(file, bytes);
    return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
  };
  const opened = async (file: string) => {
    const store = new IniFileSettingsStore(file, new NullLogger());
    await store.load();
    return store;
  };
  const entriesIn = async (file: string) => {
    const store = await opened(file);
    const entries = new Map(await store.entries());
    await store.close();
    return entries;
  };

  it('reads any bytes without failing, and refuses to rewrite what it cannot keep, changing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fileBytes, key, value, async (bytes, k, v) => {
        const { file, remove } = fileIn(bytes);
        try {
          const store = new IniFileSettingsStore(file, new NullLogger());
          const unreadable = await refusal(() => store.load());
          if (unreadable !== undefined) return void expect(unreadable).to.equal('store-unavailable');
          const before = new Map(await store.entries());
          for (const [name, stored] of before) expect(await store.get(name)).to.equal(stored);
          expect(await store.get(k)).to.equal(before.get(k));

          const refused = await refusal(() => store.set(k, v));
          if (refused === undefined) {
            expect(await entriesIn(file)).to.deep.equal(new Map([...before, [k, v]]));
          } else {
            expect(['store-unavailable', 'invalid-setting']).to.include(refused);
            expect(readFileSync(file).equals(bytes), 'a refused write leaves the file as it was').to.equal(true);
          }
          await store.close();
        } finally {
          remove();
        }
      }),
      propertyRuns(150),
    );
  });

  it('gives back exactly what was set, or refuses it with invalid-setting, and keeps every other key', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 6 }), async (ops) => {
        const { file, remove } = fileIn();
        const model = new Map<string, string>();
        const store = await opened(file);
        try {
          for (const change of ops) {
            if (change.kind === 'delete') {
              await store.delete(change.key);
              model.delete(change.key);
            } else {
              const refused = await refusal(() => store.set(change.key, change.value));
              if (refused === undefined) model.set(change.key, change.value);
              else expect(refused, `set(${JSON.stringify(change.key)}, ${JSON.stringify(change.value)})`).to.equal('invalid-setting');
              if (refused === undefined) expect(await store.get(change.key)).to.equal(change.value);
            }
            expect(await entriesIn(file), 'as another process reads it').to.deep.equal(model);
          }
        } finally {
          await store.close();
          remove();
        }
      }),
      propertyRuns(60),
    );
  });
});

/** The AuthError code `run` failed with, or undefined when it succeeded; anything else is rethrown. */
async function refusal(run: () => Promise<unknown>): Promise<AuthErrorCode | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    if (AuthError.is(error)) return error.code;
    throw error;
  }
}
