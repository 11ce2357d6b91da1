/**
 * A first-in, first-out queue on a growable ring buffer.
 *
 * @module
 */

/** A FIFO queue with O(1) push and shift. */
export class Fifo<T> {
  #items: (T | undefined)[] = new Array(16).fill(undefined);
  #mask = 15;
  #head = 0;
  #size = 0;

  /** Number of items queued. */
  get size(): number {
    return this.#size;
  }

  /** Adds an item at the end. */
  push(item: T): void {
    if (this.#size > this.#mask) this.#grow();
    this.#items[(this.#head + this.#size) & this.#mask] = item;
    this.#size++;
  }

  /** Removes and returns the first item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const head = this.#head;
    const item = this.#items[head];
    this.#items[head] = undefined;
    this.#head = (head + 1) & this.#mask;
    this.#size--;
    return item;
  }

  /** Removes every item. */
  clear(): void {
    this.#items = new Array(16).fill(undefined);
    this.#mask = 15;
    this.#head = 0;
    this.#size = 0;
  }

  #grow(): void {
    const length = this.#items.length;
    const larger: (T | undefined)[] = new Array(length * 2).fill(undefined);
    for (let i = 0; i < this.#size; i++) larger[i] = this.#items[(this.#head + i) & this.#mask];
    this.#items = larger;
    this.#mask = length * 2 - 1;
    this.#head = 0;
  }
}
