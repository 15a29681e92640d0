// What the entry points say when their port is taken, instead of a bare EADDRINUSE.
/** `command` is how the person started it, e.g. `npm start`, to show the fix in their words. */
export function portTakenMessage(command: string, err: Error & { port?: number; address?: string }): string {
  const where = err.port !== undefined ? `Port ${err.port}${err.address ? ` on ${err.address}` : ''}` : 'The port';
  return [
    `${where} is already in use (another Seatkeeper, or another program, is listening there).`,
    `Choose another port: PORT=8081 ${command}, or PORT=0 ${command} to pick a free one (the address is printed when it starts).`,
  ].join('\n');
}
