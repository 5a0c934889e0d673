// Collapses concurrent calls for one key into one: the first caller runs the work, everyone who
// arrives while it runs shares its promise (result or error). Nothing is remembered afterwards.

export interface SingleFlight<T> {
  run(key: string, work: () => Promise<T>): Promise<T>;
  /** Makes the next caller start fresh work even while a flight for `key` is still running. */
  forget(key: string): void;
  /** Keys with work in flight (for tests and metrics). */
  readonly size: number;
}

export function createSingleFlight<T>(): SingleFlight<T> {
  const flights = new Map<string, Promise<T>>();
  return {
    run(key, work) {
      const running = flights.get(key);
      if (running) return running;
      const flight = (async () => work())().finally(() => {
        // Only the flight that is still registered removes itself (forget() may have replaced it).
        if (flights.get(key) === flight) flights.delete(key);
      });
      flights.set(key, flight);
      return flight;
    },
    forget(key) {
      flights.delete(key);
    },
    get size() {
      return flights.size;
    },
  };
}
