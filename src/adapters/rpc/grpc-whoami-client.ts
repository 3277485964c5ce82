import { clientService } from './multipassd-proto.js';
import { ownServiceClient, unaryCall, type ChannelCredentials } from './own-service-channel.js';
import { parseWireUid, provenanceFromWire, wireFingerprint } from './trust-record-wire.js';
import type { WhoamiClient, WhoamiResult } from './whoami.js';

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
  uid: number;
}

/** Opens a client of the daemon's `multipassd.Client` service with this user's identity. */
export async function createWhoamiClient(credentials: ChannelCredentials): Promise<WhoamiClient> {
  const client = ownServiceClient(clientService(), credentials);
  return {
    whoami: async () => whoamiFromWire(await unaryCall<WireWhoami>(client, 'whoami', {})),
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
