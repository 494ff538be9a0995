import { describe, expect, it } from "vitest";
import { Channel } from "../../../src/core/pipeline/channel";

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe("Channel", () => {
	it("hands items over in order and ends after close once drained", async () => {
		const c = new Channel<number>(4);
		const got: number[] = [];
		const consuming = (async () => {
			for await (const n of c) got.push(n);
		})();
		for (let i = 0; i < 10; i++) await c.push(i);
		c.close();
		await consuming;
		expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
	});

	it("a push waits while the channel is full, and goes on when the consumer takes an item", async () => {
		const c = new Channel<string>(2);
		await c.push("a");
		await c.push("b");
		let third = false;
		const pushing = c.push("c").then(() => (third = true));
		await tick();
		expect(third).toBe(false);
		expect(c.size).toBe(2);
		const it = c[Symbol.asyncIterator]();
		expect(await it.next()).toEqual({ done: false, value: "a" });
		await pushing;
		expect(third).toBe(true);
		expect(c.size).toBe(2);
	});

	it("a consumer that stops early frees waiting and later producers (their items are dropped)", async () => {
		const c = new Channel<number>(1);
		await c.push(1);
		const blocked = c.push(2);
		for await (const n of c) {
			expect(n).toBe(1);
			break; // calls return(): the channel is abandoned
		}
		await blocked; // resolves instead of waiting forever
		await c.push(3);
		expect(c.size).toBe(0);
	});

	it("the consumer waits for items and for the close", async () => {
		const c = new Channel<number>(8);
		const it = c[Symbol.asyncIterator]();
		const first = it.next();
		await tick();
		await c.push(7);
		expect(await first).toEqual({ done: false, value: 7 });
		const end = it.next();
		c.close();
		expect(await end).toEqual({ done: true, value: undefined });
		await expect(c.push(8)).rejects.toThrow(/after close/);
	});

	it("keeps order across many items with a small capacity (its queue compacts)", async () => {
		const c = new Channel<number>(3);
		const got: number[] = [];
		const consuming = (async () => {
			for await (const n of c) {
				got.push(n);
				if (n % 7 === 0) await tick();
			}
		})();
		for (let i = 0; i < 5000; i++) await c.push(i);
		c.close();
		await consuming;
		expect(got).toEqual(Array.from({ length: 5000 }, (_, i) => i));
	});
});
