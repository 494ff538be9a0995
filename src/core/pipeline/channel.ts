/**
 * A bounded, in-order hand-over between two stages that run at the same time: the producer `push`es (waiting
 * while `capacity` items are queued, so a fast stage cannot run ahead of a slow one by more than that), the
 * consumer iterates, and `close()` ends the iteration once the queue is drained.
 *
 * A consumer that stops early (its `for await` breaks, or the iterator's `return` is called) abandons the channel:
 * pending and later pushes resolve at once and their items are dropped, so a producer is never left waiting.
 */
export class Channel<T> implements AsyncIterable<T> {
	private readonly queue: T[] = [];
	private head = 0;
	private closed = false;
	private abandoned = false;
	/** The consumer waiting for an item (or for the close). */
	private wakeConsumer: (() => void) | null = null;
	/** Producers waiting for room. */
	private readonly wakeProducers: (() => void)[] = [];

	constructor(private readonly capacity = 64) {}

	get size(): number {
		return this.queue.length - this.head;
	}

	/** Queues an item; resolves once there is room for it. After `close()` it throws; after abandonment it drops the item. */
	async push(item: T): Promise<void> {
		if (this.closed) throw new Error("push after close");
		while (!this.abandoned && this.size >= this.capacity) await new Promise<void>((resolve) => this.wakeProducers.push(resolve));
		if (this.abandoned) return;
		this.queue.push(item);
		this.wake();
	}

	/**
	 * Stops the hand-over at once (a run that is stopping): the consumer ends without the queued items, and every
	 * push, waiting or later, resolves and drops its item. Nothing is left waiting on either side.
	 */
	abort(): void {
		this.abandon();
		this.wake();
	}

	/** No more items: the consumer ends after the queued ones. */
	close(): void {
		this.closed = true;
		this.wake();
	}

	private wake(): void {
		const consumer = this.wakeConsumer;
		this.wakeConsumer = null;
		consumer?.();
	}

	private makeRoom(): void {
		while (this.wakeProducers.length > 0 && (this.abandoned || this.size < this.capacity)) this.wakeProducers.shift()?.();
	}

	private abandon(): void {
		this.abandoned = true;
		this.queue.length = 0;
		this.head = 0;
		this.makeRoom();
	}

	[Symbol.asyncIterator](): AsyncIterator<T> {
		return {
			next: async (): Promise<IteratorResult<T>> => {
				while (this.size === 0 && !this.closed && !this.abandoned) await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
				if (this.size === 0 || this.abandoned) return { done: true, value: undefined };
				const item = this.queue[this.head] as T;
				this.queue[this.head] = undefined as T; // let it be collected
				this.head++;
				if (this.head > 1024 && this.head * 2 > this.queue.length) {
					this.queue.splice(0, this.head);
					this.head = 0;
				}
				this.makeRoom();
				return { done: false, value: item };
			},
			return: (): Promise<IteratorResult<T>> => {
				this.abandon();
				return Promise.resolve({ done: true, value: undefined });
			},
		};
	}
}
