// Bounds on open order WebSockets, per client address and in total: each one holds an upstream
// WatchOrder stream, so an unbounded number would let one client pin the order service.
export interface SocketSlots {
  /** Takes a slot; false when a bound is reached (the socket is closed with 1013). */
  acquire(address: string): boolean;
  release(address: string): void;
  open(): number;
}

export function createSocketSlots(maxTotal: number, maxPerAddress: number): SocketSlots {
  const perAddress = new Map<string, number>();
  let total = 0;
  return {
    acquire(address) {
      const mine = perAddress.get(address) ?? 0;
      if (total >= maxTotal || mine >= maxPerAddress) return false;
      perAddress.set(address, mine + 1);
      total += 1;
      return true;
    },
    release(address) {
      const mine = perAddress.get(address) ?? 0;
      if (mine === 0) return;
      if (mine === 1) perAddress.delete(address);
      else perAddress.set(address, mine - 1);
      total -= 1;
    },
    open: () => total,
  };
}
