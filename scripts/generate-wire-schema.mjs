// Writes src/adapters/rpc/multipass-wire-schema.ts from multipass.proto, and
// multipassd-wire-schema.ts from multipassd.proto (npm run build does it first): the daemon and
// the CLI encode and decode with those tables instead of parsing a .proto at start. The files are
// committed so that `tsc` alone works; each is rewritten only when it changes.
//
// protobufjs is what @grpc/proto-loader reads .proto files with: taken from there, it is the
// same parser the tests' proto-loader clients use, and no dependency of its own.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Each output file: the .proto it is made from, and one exported schema per service. */
const TARGETS = [
  { proto: 'src/adapters/rpc/multipass.proto', output: 'src/adapters/rpc/multipass-wire-schema.ts', services: { MULTIPASS_WIRE: 'multipass.Rpc' } },
  {
    proto: 'src/adapters/rpc/multipassd.proto',
    output: 'src/adapters/rpc/multipassd-wire-schema.ts',
    services: { TRUST_ADMIN_WIRE: 'multipassd.TrustAdmin', CLIENT_WIRE: 'multipassd.Client' },
  },
];

const protobuf = createRequire(createRequire(import.meta.url).resolve('@grpc/proto-loader'))('protobufjs');

const KINDS = new Set(['string', 'bool', 'int32', 'uint32', 'int64', 'uint64']);

const fullName = (reflected) => reflected.fullName.replace(/^\./, '');

function fieldOf(field) {
  const where = `${fullName(field.parent)}.${field.name}`;
  if (field.map) throw new Error(`${where}: map fields are not supported by wire-codec.ts`);
  const resolved = field.resolvedType;
  const kind = resolved instanceof protobuf.Enum ? 'enum' : resolved instanceof protobuf.Type ? 'message' : field.type;
  if (kind !== 'enum' && kind !== 'message' && !KINDS.has(kind)) throw new Error(`${where}: type ${kind} is not supported by wire-codec.ts`);
  if (field.repeated && kind !== 'string' && kind !== 'message') throw new Error(`${where}: repeated ${kind} (packed) is not supported by wire-codec.ts`);
  if (field.options?.proto3_optional) throw new Error(`${where}: proto3 optional is not supported by wire-codec.ts`);
  return {
    name: field.name,
    number: field.id,
    kind,
    ...(resolved ? { type: fullName(resolved) } : {}),
    ...(field.repeated ? { repeated: true } : {}),
    ...(field.partOf ? { oneof: field.partOf.name } : {}),
  };
}

/** Every message and enum reachable from the service's methods. */
function collect(root, serviceName) {
  const service = root.lookupService(serviceName);
  const messages = new Map();
  const enums = new Map();
  const visit = (type) => {
    if (messages.has(fullName(type))) return;
    const fields = [...type.fieldsArray].sort((a, b) => a.id - b.id);
    messages.set(fullName(type), { fields: fields.map(fieldOf) });
    for (const field of fields) {
      if (field.resolvedType instanceof protobuf.Type) visit(field.resolvedType);
      if (field.resolvedType instanceof protobuf.Enum) enums.set(fullName(field.resolvedType), { ...field.resolvedType.values });
    }
  };
  const methods = {};
  for (const method of service.methodsArray) {
    visit(method.resolvedRequestType);
    visit(method.resolvedResponseType);
    methods[method.name] = {
      path: `/${fullName(service)}/${method.name}`,
      requestType: fullName(method.resolvedRequestType),
      responseType: fullName(method.resolvedResponseType),
      requestStream: method.requestStream === true,
      responseStream: method.responseStream === true,
    };
  }
  const sorted = (map) => Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)));
  return { methods, messages: sorted(messages), enums: sorted(enums) };
}

/** A TypeScript literal in the project's style (single quotes, spaced braces). */
function literal(value) {
  if (typeof value === 'string') return `'${value.replace(/[\\']/g, '\\$&')}'`;
  if (typeof value !== 'object') return String(value);
  const key = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : literal(name));
  return `{ ${Object.entries(value).map(([name, item]) => `${key(name)}: ${literal(item)}`).join(', ')} }`;
}

/** One exported schema: `export const NAME: WireSchema = {...};`. */
function renderSchema(exportName, schema) {
  const lines = [
    `export const ${exportName}: WireSchema = {`,
    '  methods: {',
    ...Object.entries(schema.methods).map(([name, method]) => `    ${name}: ${literal(method)},`),
    '  },',
    '  messages: {',
  ];
  for (const [name, message] of Object.entries(schema.messages)) {
    if (message.fields.length === 0) {
      lines.push(`    ${literal(name)}: { fields: [] },`);
      continue;
    }
    lines.push(`    ${literal(name)}: {`, '      fields: [', ...message.fields.map((field) => `        ${literal(field)},`), '      ],', '    },');
  }
  lines.push('  },', '  enums: {', ...Object.entries(schema.enums).map(([name, values]) => `    ${literal(name)}: ${literal(values)},`), '  },', '};', '');
  return lines;
}

function render(target, root) {
  const header = [
    `// Generated by scripts/generate-wire-schema.mjs from ${target.proto.split('/').pop()}: do not edit.`,
    "import type { WireSchema } from './wire-schema.js';",
    '',
  ];
  const schemas = Object.entries(target.services).map(([exportName, service]) => renderSchema(exportName, collect(root, service)));
  // A blank line between schemas, none after the last.
  return [...header, ...schemas.flatMap((lines, index) => (index === 0 ? lines : ['', ...lines]))].join('\n');
}

for (const target of TARGETS) {
  const root = new protobuf.Root().loadSync(`${ROOT}${target.proto}`, { keepCase: true });
  root.resolveAll();
  const source = render(target, root);
  let current;
  try {
    current = readFileSync(`${ROOT}${target.output}`, 'utf8');
  } catch {
    current = undefined;
  }
  // Unchanged, it is left alone: tsc and editors see no new file.
  if (current !== source) writeFileSync(`${ROOT}${target.output}`, source);
}
