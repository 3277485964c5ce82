import { loadSync } from '@grpc/proto-loader';
import { expect } from 'chai';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/binaries.js';
import { INSTANCE_STATUS_VALUES, LIST_REPLY_ONEOF, MESSAGES, METHODS, MULTIPASS_PACKAGE, MULTIPASS_SERVICE } from './multipass-protocol-facts.js';

interface FieldDescriptor {
  readonly name: string;
  readonly number: number;
  readonly label: string;
  readonly type: string;
  readonly typeName: string;
}
interface MessageDescriptor {
  readonly field: readonly FieldDescriptor[];
  readonly oneofDecl: ReadonlyArray<{ name: string }>;
  readonly enumType: ReadonlyArray<{ name: string; value: ReadonlyArray<{ name: string; number: number }> }>;
}
interface MethodDescriptor {
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly requestType: { type: { name: string } };
  readonly responseType: { type: { name: string } };
}

/** The project's own copy of the protocol, loaded at test time as any client would. */
const definition = loadSync(join(REPO_ROOT, 'src', 'adapters', 'rpc', 'multipass.proto'), { keepCase: true });
const message = (name: string) => (definition[`${MULTIPASS_PACKAGE}.${name}`] as unknown as { type: MessageDescriptor } | undefined)?.type;
const service = definition[`${MULTIPASS_PACKAGE}.${MULTIPASS_SERVICE}`] as unknown as Record<string, MethodDescriptor> | undefined;

/** `number type` as MESSAGES spells it. */
function describeField(field: FieldDescriptor): string {
  const type = field.type === 'TYPE_MESSAGE' || field.type === 'TYPE_ENUM' ? field.typeName.split('.').at(-1) : field.type.slice(5).toLowerCase();
  return `${field.number} ${field.label === 'LABEL_REPEATED' ? 'repeated ' : ''}${type}`;
}

describe('compat: the protocol is Multipass’s for every RPC served', () => {
  it(`declares package ${MULTIPASS_PACKAGE} and service ${MULTIPASS_SERVICE} with exactly the methods served, shaped as in Multipass`, () => {
    expect(service, 'service multipass.Rpc').to.not.equal(undefined);
    expect(Object.keys(service ?? {}).sort()).to.deep.equal(Object.keys(METHODS).sort());
    for (const [name, fact] of Object.entries(METHODS)) {
      const method = service![name]!;
      expect(method.requestType.type.name, `${name} request`).to.equal(fact.request);
      expect(method.responseType.type.name, `${name} reply`).to.equal(fact.reply);
      expect([method.requestStream, method.responseStream], `${name} streaming`).to.deep.equal([fact.streaming, fact.streaming]);
    }
  });

  for (const [name, fields] of Object.entries(MESSAGES)) {
    it(`defines ${name} with Multipass's field names, numbers and types`, () => {
      const ours = message(name);
      expect(ours, name).to.not.equal(undefined);
      const described = Object.fromEntries(ours!.field.map((field) => [field.name, describeField(field)]));
      expect(described).to.deep.equal(fields);
    });
  }

  it('keeps InstanceStatus.Status values and the list_contents oneof as Multipass has them', () => {
    const status = message('InstanceStatus')!.enumType.find((e) => e.name === 'Status');
    expect(Object.fromEntries((status?.value ?? []).map((v) => [v.name, v.number]))).to.deep.equal(INSTANCE_STATUS_VALUES);
    expect(message('ListReply')!.oneofDecl.map((o) => o.name)).to.deep.equal([LIST_REPLY_ONEOF.name]);
  });
});
