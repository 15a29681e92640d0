// seatctl's exit codes (documented in `seatctl --help`) and the error that carries one.
export const EXIT_OK = 0;
/** the server understood and refused (validation, permission, seat limit, not found …) */
export const EXIT_REFUSED = 1;
/** the command line is wrong: unknown command or option, missing argument */
export const EXIT_USAGE = 2;
/** the server cannot be reached, or the token is missing, invalid or revoked */
export const EXIT_UNREACHABLE = 3;

export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
    /** the server's error code, when the server refused */
    readonly code?: string,
  ) {
    super(message);
  }
}

export const usage = (message: string) => new CliError(EXIT_USAGE, message, 'USAGE');
