import type { ChannelOptions } from './grpc-channel.js';
import { CLIENT_WIRE } from './multipassd-wire-schema.js';
import { parseWireUid, provenanceFromWire, wireFingerprint } from './trust-record-wire.js';
import type { WhoamiClient, WhoamiResult } from './whoami.js';
import { OWN_SERVICE_DEADLINE_MS, WireClient } from './wire-client.js';

interface WireWhoami {
  fingerprint: string;
  trusted: boolean;
  via: string;
  since: string;
  label: string;
  passphrase_set: boolean;
  tokens_active: boolean;
  admin_group: string;
  admin: boolean;
  bootstrap_open: boolean;
  other_fingerprint: string;
  other_since: string;
  other_via: string;
  transport: string;
  /** int64: a decimal string. */
  uid: string;
}

/** A client of the daemon's `multipassd.Client` service with this user's identity; it connects on its first call. */
export async function createWhoamiClient(credentials: ChannelOptions): Promise<WhoamiClient> {
  const client = new WireClient(CLIENT_WIRE, credentials, OWN_SERVICE_DEADLINE_MS);
  return {
    whoami: async () => whoamiFromWire(await client.unary<WireWhoami>('whoami', {})),
    close: () => client.close(),
  };
}

function whoamiFromWire(wire: WireWhoami): WhoamiResult {
  const uid = parseWireUid(wire.uid);
  return {
    ...(wire.fingerprint === '' ? {} : { fingerprint: wireFingerprint(wire.fingerprint) }),
    trusted: wire.trusted,
    ...(wire.trusted ? { provenance: provenanceFromWire({ via: wire.via, since: wire.since, label: wire.label }) } : {}),
    passphraseSet: wire.passphrase_set,
    tokensActive: wire.tokens_active,
    ...(wire.admin_group === '' ? {} : { adminGroup: wire.admin_group }),
    admin: wire.admin,
    bootstrapOpen: wire.bootstrap_open,
    ...(wire.other_fingerprint === ''
      ? {}
      : {
          otherCertificate: {
            fingerprint: wireFingerprint(wire.other_fingerprint),
            provenance: provenanceFromWire({ via: wire.other_via, since: wire.other_since }),
          },
        }),
    transport: wire.transport,
    ...(uid === undefined ? {} : { uid }),
  };
}
