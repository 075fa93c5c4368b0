/**
 * A server-sent-events subscriber for the bench: reads a text/event-stream with fetch and stamps
 * each event with the moment it arrived (performance.now()), for fan-out latencies.
 */
export interface StampedEvent {
  event: string;
  data: unknown;
  receivedAt: number;
}

export interface SseSubscription {
  readonly events: StampedEvent[];
  /** Resolves at the first event (e.g. the board's `snapshot`): the stream is live. */
  readonly ready: Promise<void>;
  close(): void;
}

export async function subscribe(url: string): Promise<SseSubscription> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
  if (response.status !== 200 || !response.body) throw new Error(`GET ${url} answered ${response.status}`);
  const events: StampedEvent[] = [];
  let firstEvent!: () => void;
  const ready = new Promise<void>((resolve) => (firstEvent = resolve));
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const receivedAt = performance.now();
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length === 0) continue;
          events.push({ event, data: JSON.parse(data.join('\n')), receivedAt });
          firstEvent();
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return { events, ready, close: () => controller.abort() };
}
