import { constants, type IncomingHttpHeaders } from 'node:http2';
import type { RpcStatusName } from './multipass-client.js';
import { StatusCode } from './status-code.js';

/**
 * How a gRPC call ended, read as grpc-js reads it (the same codes and details), so that what
 * users see does not depend on the client library. `connectionError` is set when no
 * connection could be made at all.
 */
export interface CallStatus {
  readonly code: number;
  readonly details: string;
  readonly connectionError?: Error;
}

/** By code: gRPC's status names (the table's keys are in code order). */
const STATUS_NAMES = Object.keys(StatusCode) as RpcStatusName[];

const code = (name: RpcStatusName): number => STATUS_NAMES.indexOf(name);

export const STATUS_OK = code('OK');

export const statusName = (statusCode: number): RpcStatusName => STATUS_NAMES[statusCode] ?? 'UNKNOWN';

export const statusOf = (name: RpcStatusName, details: string): CallStatus => ({ code: code(name), details });

/** The status in `grpc-status` and `grpc-message`, if the headers carry one. */
export function statusOfTrailers(headers: IncomingHttpHeaders): CallStatus | undefined {
  const status = headers['grpc-status'];
  if (typeof status !== 'string') return undefined;
  const message = headers['grpc-message'];
  let details = '';
  if (typeof message === 'string') {
    // Percent-encoded by the server (grpc-js with encodeURI); a malformed one is shown as it came.
    try {
      details = decodeURI(message);
    } catch {
      details = message;
    }
  }
  return { code: Number(status), details };
}

/** An HTTP status other than 200, without a gRPC status: not a gRPC server's answer. */
export function statusOfHttp(httpStatus: number): CallStatus {
  const details = `Received HTTP status code ${httpStatus}`;
  switch (httpStatus) {
    case 400:
      return statusOf('INTERNAL', details);
    case 401:
      return statusOf('UNAUTHENTICATED', details);
    case 403:
      return statusOf('PERMISSION_DENIED', details);
    case 404:
      return statusOf('UNIMPLEMENTED', details);
    case 429:
    case 502:
    case 503:
    case 504:
      return statusOf('UNAVAILABLE', details);
    default:
      return statusOf('UNKNOWN', details);
  }
}

/** A stream that ended without a status, by its RST_STREAM code. */
export function statusOfReset(rstCode: number, connectionDropped: boolean): CallStatus {
  switch (rstCode) {
    case constants.NGHTTP2_REFUSED_STREAM:
      return statusOf('UNAVAILABLE', 'Stream refused by server');
    case constants.NGHTTP2_CANCEL:
      // Node reports a dropped connection as a cancelled stream.
      return connectionDropped ? statusOf('UNAVAILABLE', 'Connection dropped') : statusOf('CANCELLED', 'Call cancelled');
    case constants.NGHTTP2_ENHANCE_YOUR_CALM:
      return statusOf('RESOURCE_EXHAUSTED', 'Bandwidth exhausted or memory limit exceeded');
    case constants.NGHTTP2_INADEQUATE_SECURITY:
      return statusOf('PERMISSION_DENIED', 'Protocol not secure enough');
    case constants.NGHTTP2_NO_ERROR:
      return statusOf('INTERNAL', `Received RST_STREAM with code ${rstCode} (Call ended without gRPC status)`);
    case constants.NGHTTP2_INTERNAL_ERROR:
      return statusOf('INTERNAL', `Received RST_STREAM with code ${rstCode} (Internal server error)`);
    default:
      return statusOf('INTERNAL', `Received RST_STREAM with code ${rstCode}`);
  }
}
