import { expect } from 'chai';
import { announcementOf } from '../../../src/adapters/stores/postgres/postgres-trust-feed.js';
import { isPostgresUrl, PostgresTarget, redactUrl } from '../../../src/adapters/stores/postgres/postgres-target.js';

const PRINT = 'a'.repeat(64);

describe('PostgresTarget (where the PostgreSQL store is, never its password)', () => {
  it('describes user, host, port and database as pg will connect, from the URL first, then the PG* variables', () => {
    expect(new PostgresTarget('postgres://mp:s3cret@db.lab:6543/fleet', {}).describe()).to.equal('mp@db.lab:6543/fleet');
    expect(new PostgresTarget('postgresql://mp@/fleet?host=/run/postgresql', {}).describe()).to.equal('mp@/run/postgresql:5432/fleet');
    expect(new PostgresTarget(undefined, { PGHOST: 'db', PGUSER: 'u', PGPORT: '7000', PGDATABASE: 'd' }).describe()).to.equal('u@db:7000/d');
    expect(new PostgresTarget('postgres://db.lab/fleet', { PGUSER: 'u' }).describe()).to.equal('u@db.lab:5432/fleet');
  });

  it('scrubs the password, in clear or URL-encoded, and the URL holding it, from any text', () => {
    const url = 'postgres://mp:p%40ss%2Fw0rd@db.lab/fleet';
    const target = new PostgresTarget(url, { PGPASSWORD: 'from-env' });
    expect(target.scrub(`failed for ${url}: p@ss/w0rd, p%40ss%2Fw0rd, from-env`)).to.equal(
      'failed for postgres://mp:***@db.lab/fleet: ***, ***, ***',
    );
  });

  it('redacts passwords in the authority and in a password parameter', () => {
    expect(redactUrl('postgres://mp:secret@db/x?sslmode=require')).to.equal('postgres://mp:***@db/x?sslmode=require');
    expect(redactUrl('postgres://mp@db/x?password=secret&sslmode=require')).to.equal('postgres://mp@db/x?password=***&sslmode=require');
    expect(redactUrl('postgres://db/x')).to.equal('postgres://db/x');
  });

  it('takes postgres:// and postgresql:// URLs only', () => {
    expect(isPostgresUrl('postgres://u:p@h:5432/d')).to.equal(true);
    expect(isPostgresUrl('postgresql://u@/d?host=/run/postgresql')).to.equal(true);
    expect(isPostgresUrl('mysql://u@h/d')).to.equal(false);
    expect(isPostgresUrl('host=db user=u')).to.equal(false);
  });

  it('passes the URL to pg as it is (sslmode and the rest are for pg to read), with the daemon defaults underneath', () => {
    const config = new PostgresTarget('postgres://u@h/d?sslmode=verify-full&sslrootcert=/etc/ca.pem', {}).clientConfig();
    expect(config).to.include({ connectionString: 'postgres://u@h/d?sslmode=verify-full&sslrootcert=/etc/ca.pem', application_name: 'multipassd' });
    expect(new PostgresTarget(undefined, {}).clientConfig()).not.to.have.property('connectionString');
  });
});

describe('announcementOf (what the database pushes on a change)', () => {
  it('reads a version, a change and its fingerprints', () => {
    expect(announcementOf(JSON.stringify({ v: 7, change: 'remove', fingerprints: [PRINT] }))).to.deep.equal({
      version: 7,
      change: 'remove',
      fingerprints: [PRINT],
    });
  });

  it('asks for a reload for anything it cannot read as a change', () => {
    for (const payload of ['', 'nonsense', JSON.stringify({ v: 3, change: 'add', fingerprints: ['AB:CD'] }), JSON.stringify({ v: 3, change: 'reload' })]) {
      expect(announcementOf(payload).change, payload).to.equal('reload');
    }
  });
});
