// An error a handler throws to answer {ok:false, code, message}; anything else becomes 'failed'.
import type { IpcErrorCode } from '../../shared/types';

export class IpcError extends Error {
  constructor(
    readonly code: IpcErrorCode,
    message: string,
  ) {
    super(message);
  }
}
