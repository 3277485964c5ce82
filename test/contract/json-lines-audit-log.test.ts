import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JsonLinesAuditLog, type AuditRotation } from '../../src/adapters/audit/json-lines-audit-log.js';
import { auditLogPath } from '../../src/app/trust-data-paths.js';
import type { AuditEvent } from '../../src/domain/audit-event.js';
import { makeTempDir } from '../support/temp-dir.js';
import { auditLogContract } from './audit-log.contract.js';

function makeHarness(rotation?: AuditRotation) {
  return async () => {
    const temp = makeTempDir('mpa-audit-');
    const path = auditLogPath(join(temp.path, 'data'));
    return {
      path,
      create: async () => new JsonLinesAuditLog(path, rotation),
      reopen: async () => new JsonLinesAuditLog(path, rotation),
      dispose: async () => temp.remove(),
    };
  };
}

auditLogContract('JsonLinesAuditLog', makeHarness());

const event = (i: number, label = `event ${i}`): AuditEvent => ({
  time: new Date(Date.UTC(2026, 2, 1, 8, 0, i)),
  event: 'trust.add',
  outcome: 'ok',
  label,
});

describe('JsonLinesAuditLog specifics', () => {
  let harness: Awaited<ReturnType<ReturnType<typeof makeHarness>>>;

  afterEach(async () => {
    await harness.dispose();
  });

  it('writes one JSON object per line, snake_case, to <data>/audit.log with mode 0600', async () => {
    harness = await makeHarness()();
    const log = await harness.create();
    await log.append({ ...event(1), tokenId: 'abcd2345', peer: { uid: 0, sudoUser: 'bob' } });
    await log.append(event(2, 'two\nlines'));
    expect(harness.path.endsWith('/audit.log')).to.equal(true);
    expect(statSync(harness.path).mode & 0o777).to.equal(0o600);
    const lines = readFileSync(harness.path, 'utf8').split('\n');
    expect(lines).to.have.length(3);
    expect(lines[2]).to.equal('');
    expect(JSON.parse(lines[0] as string)).to.deep.equal({
      time: '2026-03-01T08:00:01.000Z',
      event: 'trust.add',
      outcome: 'ok',
      peer: { uid: 0, sudo_user: 'bob' },
      label: 'event 1',
      token_id: 'abcd2345',
    });
  });

  it('tightens a log file someone made readable by others back to 0600', async () => {
    harness = await makeHarness()();
    mkdirSync(dirname(harness.path), { recursive: true });
    writeFileSync(harness.path, '', { mode: 0o644 });
    await (await harness.create()).append(event(1));
    expect(statSync(harness.path).mode & 0o777).to.equal(0o600);
  });

  it('rotates by size, keeping the newest files, and reads them all oldest first', async () => {
    harness = await makeHarness({ maxBytes: 400, keep: 2 })();
    const log = await harness.create();
    for (let i = 0; i < 30; i += 1) await log.append(event(i));
    for (const path of [harness.path, `${harness.path}.1`, `${harness.path}.2`]) {
      expect(statSync(path).size, path).to.be.at.most(400);
    }
    expect(existsSync(`${harness.path}.3`)).to.equal(false);
    const { events } = await log.read();
    const numbers = events.map((read) => Number(read.label?.slice('event '.length)));
    expect(numbers, 'oldest first, newest kept, none twice').to.deep.equal([...numbers].sort((a, b) => a - b));
    expect(numbers.at(-1)).to.equal(29);
    expect(numbers.length).to.be.within(6, 15);
  });

  it('counts lines that are not events, and reads nothing from before `since`', async () => {
    harness = await makeHarness({ maxBytes: 300, keep: 3 })();
    const log = await harness.create();
    for (let i = 0; i < 6; i += 1) await log.append(event(i));
    appendFileSync(harness.path, 'not json\n{"event":"trust.add"}\n\n');
    const all = await log.read();
    expect(all.skipped).to.equal(2);
    const recent = await log.read({ since: new Date(Date.now() + 60_000) });
    expect(recent).to.deep.equal({ events: [], skipped: 0 });
  });

  it('refuses to append through a symbolic link planted at its path', async () => {
    harness = await makeHarness()();
    const target = join(dirname(harness.path), 'elsewhere');
    mkdirSync(dirname(harness.path), { recursive: true });
    writeFileSync(target, '');
    symlinkSync(target, harness.path);
    let error: unknown;
    try {
      await (await harness.create()).append(event(1));
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(Error);
    expect(readFileSync(target, 'utf8')).to.equal('');
  });

  it('loses no line and mixes none when several processes append and rotate at once', async function () {
    this.timeout(20_000);
    harness = await makeHarness({ maxBytes: 2000, keep: 50 })();
    const module = fileURLToPath(new URL('../../src/adapters/audit/json-lines-audit-log.js', import.meta.url));
    const script = `
      const { JsonLinesAuditLog } = await import(process.argv[1]);
      const log = new JsonLinesAuditLog(process.argv[2], { maxBytes: 2000, keep: 50 });
      const writer = process.argv[3];
      for (let i = 0; i < 40; i += 1) {
        await log.append({ time: new Date(), event: 'trust.add', outcome: 'ok', label: writer + '-' + i + '-' + 'x'.repeat(40) });
      }`;
    const runs = ['a', 'b', 'c', 'd'].map((writer) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, module, harness.path, writer], { stdio: 'inherit' });
      return new Promise<number | null>((done) => child.on('exit', done));
    });
    expect(await Promise.all(runs)).to.deep.equal([0, 0, 0, 0]);
    const { events, skipped } = await (await harness.create()).read();
    expect(skipped, 'no torn or mixed line').to.equal(0);
    const labels = new Set(events.map((read) => read.label?.split('-').slice(0, 2).join('-')));
    expect(labels.size).to.equal(160);
  });
});
