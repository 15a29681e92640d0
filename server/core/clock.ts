// The server's one notion of time: a function returning epoch milliseconds, given to every part
// through Services (tests pass a fake one to run expiry and rate limits without waiting).
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
