// The step after tsc under its former name, which the developers' notes still use
// (`npx tsc -p tsconfig.json && node scripts/copy-assets.mjs`): it now bundles the CLI.
// There are no assets left to copy: the daemon and the CLI no longer read the .proto.
import './bundle.mjs';
