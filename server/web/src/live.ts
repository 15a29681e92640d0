// The dashboard's live socket: a snapshot on connect, then feed items and seat summaries as they
// happen. Reconnects with a capped backoff unless the server says access has ended.
import { useEffect, useState } from 'preact/hooks';
import { LIVE_CLOSE, LIVE_PATH, LiveMessage, type FeedItemView, type LiveSummaryView } from '../../../shared/api/live.js';
import type { UsageSampleView } from '../../../shared/api/usage.js';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'ended';

export interface LiveState {
  status: LiveStatus;
  summary: LiveSummaryView | undefined;
  /** newest first */
  feed: FeedItemView[];
  /** one sample per summary received, for the utilization chart */
  samples: UsageSampleView[];
}

const FEED_MAX = 100;
const SAMPLES_MAX = 2000;

function sampleOf(s: LiveSummaryView): UsageSampleView {
  return { at: s.at, inUse: Object.fromEntries(s.seats.products.map((p) => [p.productCode, p.inUse])), devicesOnline: s.devices.online };
}

export function useLive(orgId: string): LiveState {
  const [state, setState] = useState<LiveState>({ status: 'connecting', summary: undefined, feed: [], samples: [] });
  useEffect(() => {
    let ws: WebSocket | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let stopped = false;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${LIVE_PATH}?orgId=${encodeURIComponent(orgId)}`;

    const onMessage = (ev: MessageEvent) => {
      let raw: unknown;
      try {
        raw = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      const parsed = LiveMessage.safeParse(raw);
      if (!parsed.success) return; // a newer server's message this portal does not know
      const m = parsed.data;
      setState((s) => {
        if (m.type === 'snapshot') {
          return { status: 'live', summary: m.summary, feed: [...m.feed].reverse().slice(0, FEED_MAX), samples: [...s.samples, sampleOf(m.summary)].slice(-SAMPLES_MAX) };
        }
        if (m.type === 'feed') return { ...s, feed: [m.item, ...s.feed].slice(0, FEED_MAX) };
        return { ...s, summary: m.summary, samples: [...s.samples, sampleOf(m.summary)].slice(-SAMPLES_MAX) };
      });
    };

    const connect = () => {
      ws = new WebSocket(url);
      ws.onopen = () => (attempt = 0);
      ws.onmessage = onMessage;
      ws.onclose = (ev) => {
        if (stopped) return;
        if (ev.code === LIVE_CLOSE.ACCESS_ENDED) {
          setState((s) => ({ ...s, status: 'ended' }));
          return;
        }
        setState((s) => ({ ...s, status: 'reconnecting' }));
        // 0.5 s, 1 s, 2 s … capped at 15 s, with jitter so many dashboards do not reconnect at once.
        const delay = Math.min(15_000, 500 * 2 ** attempt++) * (0.75 + Math.random() / 2);
        retry = setTimeout(connect, delay);
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      ws?.close(1000, 'page closed');
    };
  }, [orgId]);
  return state;
}
