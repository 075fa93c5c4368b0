/**
 * A server-sent-events client for tests and the bench: reads a text/event-stream with fetch until
 * closed, collecting each event (with the moment it arrived, performance.now(), for fan-out
 * latencies) and each comment line (keep-alives). One home for the parsing: the queue board's
 * e2e specs and the bench's call-next scenario both use it.
 */
export interface StreamEvent {
  event: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON event read by tests
  data: any;
  /** performance.now() when the chunk holding the event's end arrived. */
  receivedAt: number;
}

export interface EventStream {
  status: number;
  contentType: string;
  /** Grows as events arrive. */
  readonly events: StreamEvent[];
  readonly comments: string[];
  /** Resolves at the first event (e.g. the board's `snapshot`): the stream is live. */
  readonly ready: Promise<void>;
  close(): void;
}

export async function openEventStream(url: string, headers: Record<string, string> = {}): Promise<EventStream> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream', ...headers } });
  const events: StreamEvent[] = [];
  const comments: string[] = [];
  let firstEvent!: () => void;
  const ready = new Promise<void>((resolve) => (firstEvent = resolve));
  if (response.body) {
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
            const parsed = parseBlock(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            comments.push(...parsed.comments);
            if (parsed.data === undefined) continue;
            events.push({ event: parsed.event, data: JSON.parse(parsed.data), receivedAt });
            firstEvent();
          }
        }
      } catch {
        // aborted by close()
      }
    })();
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    events,
    comments,
    ready,
    close: () => controller.abort(),
  };
}

/** One event block: `event:` names it (default `message`), `data:` lines join with newlines, `:` lines are comments. */
function parseBlock(block: string): { event: string; data?: string; comments: string[] } {
  let event = 'message';
  const data: string[] = [];
  const comments: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) comments.push(line.slice(1).trim());
    else if (line.startsWith('event:')) event = fieldValue(line, 'event:');
    else if (line.startsWith('data:')) data.push(fieldValue(line, 'data:'));
  }
  return { event, data: data.length > 0 ? data.join('\n') : undefined, comments };
}

/** The value after `name:`, without the one optional space the format allows. */
function fieldValue(line: string, name: string): string {
  const value = line.slice(name.length);
  return value.startsWith(' ') ? value.slice(1) : value;
}
