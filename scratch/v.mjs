import { Cli, Builtins } from 'clipanion';
const { MigrateStoreCommand } = await import('/work/wt-polish/dist/src/app/daemon-cli/migrate-store-command.js');
const cli = new Cli({binaryName:'multipassd'});
cli.register(MigrateStoreCommand); cli.register(Builtins.HelpCommand);
try { const c = cli.process(['migrate-store','--to','xml']); console.log('processed', c.constructor.name) } catch (e) { console.log('process threw', e.name, e.message) }
const h = cli.process(['migrate-store','--help']); console.log(h.constructor.name, h.help);
const h2 = cli.process(['--help']); console.log(h2.constructor.name, h2.help);
