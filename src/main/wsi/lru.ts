/** A least-recently-used map bounded by a cost budget (entry count or bytes, via `costOf`). */
export class LruCache<K, V> {
  private readonly map = new Map<K, { value: V; cost: number }>();
  private total = 0;

  constructor(
    private readonly budget: number,
    private readonly costOf: (v: V) => number,
  ) {}

  get size(): number {
    return this.map.size;
  }
  get cost(): number {
    return this.total;
  }

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  set(key: K, value: V): void {
    const cost = Math.max(0, this.costOf(value));
    this.delete(key);
    if (cost > this.budget) return; // never worth evicting everything for one item
    this.map.set(key, { value, cost });
    this.total += cost;
    while (this.total > this.budget) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  delete(key: K): boolean {
    const e = this.map.get(key);
    if (!e) return false;
    this.map.delete(key);
    this.total -= e.cost;
    return true;
  }

  deleteWhere(pred: (key: K) => boolean): void {
    for (const k of [...this.map.keys()]) if (pred(k)) this.delete(k);
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }
}
