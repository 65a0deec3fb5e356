// What a call to posgate throws: the API's problem+json answer as an error, or what kept the call
// from getting one (the network, the per-call timeout).

/** The `Problem` of the OpenAPI document: RFC 9457 with posgate's stable `code`. */
export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  param?: string;
  requestId?: string;
  /** Every bad field of a refused input, the first of them also in `code` and `param`. */
  errors?: FieldError[];
}

/** One bad field of a refused input. */
export interface FieldError {
  code: string;
  param: string;
  detail: string;
}

export class PosgateError extends Error {
  /** posgate's stable snake_case code (`terminal_busy`, …), or `connection_error` / `timeout` when no answer came. */
  readonly code: string;
  /** The HTTP status, 0 when no answer came. */
  readonly status: number;
  /** The parameter at fault, when the API names one. */
  readonly param: string | undefined;
  /** The `Request-Id` of the answer: quote it when asking about a call. */
  readonly requestId: string | undefined;
  /** Every bad field when an input was refused (fix them all at once); empty otherwise. */
  readonly errors: readonly FieldError[];
  /** The answer's body as it came. */
  readonly body: unknown;

  constructor(init: { message: string; code: string; status: number; param?: string; requestId?: string; errors?: readonly FieldError[]; body?: unknown; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'PosgateError';
    this.code = init.code;
    this.status = init.status;
    this.param = init.param;
    this.requestId = init.requestId;
    this.errors = init.errors ?? [];
    this.body = init.body;
  }

  /** An error answer; a body that is not problem+json (a proxy's page) still gives status and request id. */
  static fromResponse(status: number, body: unknown, requestId: string | undefined): PosgateError {
    const problem = (body && typeof body === 'object' ? body : {}) as ProblemBody;
    return new PosgateError({
      message: problem.detail ?? problem.title ?? `HTTP ${status}`,
      code: problem.code ?? `http_${status}`,
      status,
      param: problem.param,
      requestId: problem.requestId ?? requestId,
      ...(Array.isArray(problem.errors) ? { errors: problem.errors } : {}),
      body,
    });
  }
}

/** `webhooks.verify` refused a delivery: a bad signature, a stale timestamp, a missing header. */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}
