/**
 * An error with a stable `code` that callers branch on and the HTTP edge maps to a status; its
 * message says what went wrong and what to do next. Each layer's errors extend it.
 */
export class CodedError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
