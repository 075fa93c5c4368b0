/** One thing wrong with a request, named so the caller can fix it. */
export interface FieldError {
  /** JSON pointer into the request body, e.g. `/payload/idNumber`; or `header:Idempotency-Key`, `query:limit`. */
  field: string;
  message: string;
}
