// hipstershop clients built at run time from protos/hipstershop/demo.proto the way upstream's Node
// services load it (@grpc/proto-loader: snake_case fields, int64 as strings, enums as names), none of
// our generated code: proves the wire contract from the outside.
import assert from 'node:assert/strict';
import {
  type Client,
  type GrpcObject,
  Metadata,
  type ServiceClientConstructor,
  type ServiceError,
  credentials,
  loadPackageDefinition,
  type status,
} from '@grpc/grpc-js';
import { type Options, type PackageDefinition, loadSync } from '@grpc/proto-loader';
import { projectPath } from '../../src/platform/paths';

/** Upstream paymentservice/currencyservice loader options (msdemo.md §A.3). */
export const UPSTREAM_LOAD_OPTIONS: Readonly<Options> = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [projectPath('protos')],
});

let demo: PackageDefinition | undefined;

/** A client for `hipstershop.<service>` at `address` (plaintext). */
export function upstreamClient(service: string, address: string): Client {
  demo ??= loadSync('hipstershop/demo.proto', { ...UPSTREAM_LOAD_OPTIONS });
  const pkg = loadPackageDefinition(demo).hipstershop as GrpcObject;
  const Ctor = pkg[service] as ServiceClientConstructor | undefined;
  if (Ctor === undefined) throw new Error(`hipstershop.${service} is not a service in demo.proto`);
  return new Ctor(address, credentials.createInsecure());
}

type UnaryMethod = (req: object, md: Metadata, cb: (err: ServiceError | null, res: unknown) => void) => void;

/** Calls a unary method by its proto name, as an upstream client would. */
export function unary<Res>(client: Client, method: string, req: object, metadata = new Metadata()): Promise<Res> {
  const fn = (client as unknown as Record<string, UnaryMethod | undefined>)[method];
  if (fn === undefined) return Promise.reject(new Error(`no method ${method} on this client`));
  return new Promise((resolve, reject) => {
    fn.call(client, req, metadata, (err, res) => (err ? reject(err) : resolve(res as Res)));
  });
}

/** An `assert.rejects` validator: the gRPC code, and the details exactly (string) or matching (RegExp). */
export const rejectsWith = (code: status, details: RegExp | string) => (e: unknown): boolean => {
  const err = e as ServiceError;
  assert.equal(err.code, code, `code ${err.code} (${err.details})`);
  if (typeof details === 'string') assert.equal(err.details, details);
  else assert.match(err.details, details);
  return true;
};
