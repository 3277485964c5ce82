/** A YAML document as Multipass's formatters build it with yaml-cpp. */
export type YamlNode = string | null | readonly YamlNode[] | YamlMap;
export type YamlMap = { readonly [key: string]: YamlNode };

/**
 * YAML as Multipass prints it (yaml-cpp's emitter in block style, two-space indentation):
 * a sequence inside a mapping is indented under its key, an empty sequence is `[]` on the
 * next line, null is `~`, and a document with nothing in it is an empty line. Scalars are
 * plain when yaml-cpp would leave them so, double-quoted otherwise.
 */
export function emitYaml(node: YamlNode): string {
  if (node === null || (typeof node === 'object' && Object.keys(node).length === 0)) return '\n';
  return `${block(node, 0).join('\n')}\n`;
}

/** The lines of a node written at column `indent`, the first line without its indentation. */
function block(node: YamlNode, indent: number): string[] {
  if (node === null || typeof node === 'string') return [scalar(node)];
  if (Array.isArray(node)) {
    const items = node as readonly YamlNode[];
    if (items.length === 0) return ['[]'];
    return items.flatMap((item, index) => {
      const [first = '', ...rest] = block(item, indent + 2);
      return [`${index === 0 ? '' : ' '.repeat(indent)}- ${first}`, ...rest];
    });
  }
  if (Object.keys(node).length === 0) return ['{}'];
  return Object.entries(node as YamlMap).flatMap(([key, value], index) => {
    const lead = index === 0 ? '' : ' '.repeat(indent);
    if (value === null || typeof value === 'string') return [`${lead}${scalar(key)}: ${scalar(value)}`];
    const [first = '', ...rest] = block(value, indent + 2);
    return [`${lead}${scalar(key)}:`, `${' '.repeat(indent + 2)}${first}`, ...rest];
  });
}

// What yaml-cpp will not write plain: words read back as null or booleans, indicators at the
// start, `: ` and ` #` inside, edge spaces, line breaks and other control characters.
const RESERVED = /^(?:~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const UNSAFE = /^[,[\]{}#&*!|>'"%@`\s]|^[-?:](?:\s|$)|:(?:\s|$)|\s#|\s$|[\u0000-\u001f\u007f]/;

function scalar(value: string | null): string {
  if (value === null) return '~';
  if (value === '' || RESERVED.test(value) || UNSAFE.test(value)) return JSON.stringify(value);
  return value;
}
