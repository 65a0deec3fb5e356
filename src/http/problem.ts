// Every error leaves as RFC 9457 problem+json with a stable code; nothing else reaches the client.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DomainError, ErrorCode } from '../core/errors.js';
import { NATIVE_STATUS, TITLES } from './error-statuses.js';


export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  param?: string;
  /** Every bad field of a validation failure (the first is `param`). */
  errors?: { code: ErrorCode; param: string; detail: string }[];
  requestId: string;
}

export function problemOf(error: DomainError, requestId: string): Problem {
  const status = NATIVE_STATUS[error.code];
  return {
    type: `https://posgate.dev/errors/${error.code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail: error.message,
    code: error.code,
    ...(error.param ? { param: error.param } : {}),
    ...(Array.isArray(error.facts.errors) ? { errors: error.facts.errors as Problem['errors'] } : {}),
    requestId,
  };
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: DomainError): FastifyReply {
  const problem = problemOf(error, request.id);
  return reply.status(problem.status).type('application/problem+json').send(problem);
}
