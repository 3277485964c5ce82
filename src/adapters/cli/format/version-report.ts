import type { UpdateInfo, VersionResult } from '../../rpc/multipass-client.js';
import type { OutputFormat } from './output-format.js';
import { toQtJson, type JsonValue } from './qt-json.js';
import { emitYaml, type YamlMap } from './yaml-cpp-emitter.js';

/**
 * `multipass version` in the requested format, as Multipass prints it. `daemon` is undefined
 * when the daemon could not be asked: only the client's version is shown then.
 */
export function formatVersion(clientVersion: string, daemon: VersionResult | undefined, format: OutputFormat): string {
  const daemonVersion = daemon?.version ?? '';
  const update = daemon !== undefined && daemonVersion !== '' && daemon.updateInfo.version !== '' ? daemon.updateInfo : undefined;
  switch (format) {
    case 'table': {
      let text = `${'multipass'.padEnd(12)}${clientVersion}\n`;
      if (daemonVersion !== '') text += `${'multipassd'.padEnd(12)}${daemonVersion}\n`;
      return update === undefined ? text : text + updateNotice(update);
    }
    case 'csv': {
      const info = daemon?.updateInfo;
      return (
        'Multipass,Multipassd,Title,Description,URL\n' +
        `${clientVersion},${daemonVersion},${info?.title ?? ''},${info?.description ?? ''},${info?.url ?? ''}\n`
      );
    }
    case 'json':
    case 'yaml': {
      const report: Record<string, string | Record<string, string>> = { multipass: clientVersion };
      if (daemonVersion !== '') report.multipassd = daemonVersion;
      if (update !== undefined) report.update = { title: update.title, description: update.description, url: update.url };
      return format === 'json' ? toQtJson(report as JsonValue) : emitYaml(report as YamlMap);
    }
  }
}

/** Multipass's boxed notice of an available update. */
function updateNotice(update: UpdateInfo): string {
  const message = `${update.title}\n${update.description}\n\nGo here for more information: ${update.url}`;
  const divider = '#'.repeat(Math.max(50, ...message.split('\n').map((line) => line.length)));
  return `\n${divider}\n${message}\n${divider}\n`;
}
