import { Cli, Builtins } from 'clipanion';
const { MigrateStoreCommand } = await import('/work/wt-polish/dist/src/app/daemon-cli/migrate-store-command.js');
const { TrustAddCommand } = await import('/work/wt-polish/dist/src/app/daemon-cli/trust-add-command.js');
const { StartCommand } = await import('/work/wt-polish/dist/src/app/daemon-cli/start-command.js');
const cli = new Cli({binaryName:'multipassd'});
cli.register(MigrateStoreCommand); cli.register(TrustAddCommand); cli.register(StartCommand); cli.register(Builtins.HelpCommand);
console.log(JSON.stringify(cli.definitions().map(d=>({path:d.path, options:d.options})), null, 1).slice(0,3000));
for (const argv of [['migrate-store'], ['trust','add'], ['bogus'], ['trust', 'add', '--label']]) {
try { cli.process(argv) } catch (e) { console.log(e.name, JSON.stringify(e.candidates), e.message.split('\n')[0]) }
}
