// What the portal does for people on a keyboard or a screen reader whatever the page: the title
// names the page, navigation moves focus to the new page's h1, results are announced in one polite
// live region, and focus that loses its element (a removed row, a disabled button) lands nearby.
import { useEffect, useState } from 'preact/hooks';

const APP = 'Seatkeeper';
const listeners = new Set<(text: string) => void>();

/** Says `text` once in the polite live region (a screen reader reads it when it is idle). */
export function announce(text: string): void {
  listeners.forEach((l) => l(text));
}

/** The one polite live region; empty, then the text, so the same text twice is read twice. */
export function LiveRegion() {
  const [text, setText] = useState('');
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const l = (t: string) => {
      setText('');
      clearTimeout(timer);
      timer = setTimeout(() => setText(t), 50);
    };
    listeners.add(l);
    return () => {
      listeners.delete(l);
      clearTimeout(timer);
    };
  }, []);
  return (
    <div class="sr-only" aria-live="polite" aria-atomic="true" data-announcer>
      {text}
    </div>
  );
}

const h1 = () => document.querySelector<HTMLElement>('main h1');

/** Keeps document.title as "<the page's h1> — Seatkeeper", whenever the h1 changes (pages load). */
export function useTitleFromHeading(): void {
  useEffect(() => {
    const sync = () => {
      const name = h1()?.textContent?.trim();
      const title = name ? `${name} — ${APP}` : APP;
      if (document.title !== title) document.title = title;
    };
    sync();
    const mo = new MutationObserver(sync);
    mo.observe(document.body, { subtree: true, childList: true, characterData: true });
    return () => mo.disconnect();
  }, []);
}

/**
 * After moving to another page, focus goes to its h1 (a screen reader then reads the page's name)
 * once the page has drawn it. Not on the first load: the browser starts at the top by itself.
 */
export function useFocusHeadingOnNavigation(path: string): void {
  const [first, setFirst] = useState(path);
  useEffect(() => {
    if (path === first) return;
    setFirst('');
    let done = false;
    const tryFocus = () => {
      const h = h1();
      if (done || !h || document.querySelector('main [aria-busy="true"]')) return;
      done = true;
      h.tabIndex = -1;
      h.focus({ preventScroll: true });
    };
    tryFocus();
    if (done) return;
    const mo = new MutationObserver(tryFocus);
    mo.observe(document.body, { subtree: true, childList: true });
    const stop = setTimeout(() => mo.disconnect(), 10_000);
    return () => {
      done = true;
      mo.disconnect();
      clearTimeout(stop);
    };
  }, [path]);
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * When the element that had focus goes away (its row was removed) or is disabled while its action
 * runs, focus would fall back to <body>, the top of the page. Instead it goes back to the element
 * once usable again, or to the nearest surviving part of the page: its first control or heading.
 */
export function useFocusKeeper(): void {
  useEffect(() => {
    let last: HTMLElement | null = null;
    let trail: HTMLElement[] = [];
    const onFocus = (e: FocusEvent) => {
      const t = e.target as HTMLElement;
      if (!(t instanceof HTMLElement) || t === document.body) return;
      last = t;
      trail = [];
      for (let p = t.parentElement; p && p !== document.body; p = p.parentElement) trail.push(p);
    };
    const rescue = () => {
      const a = document.activeElement;
      if (!last || (a && a !== document.body)) return;
      if (last.isConnected) {
        if (!(last as HTMLButtonElement).disabled) last.focus({ preventScroll: true });
        return;
      }
      const home = trail.find((p) => p.isConnected && p.tagName !== 'TBODY' && p.tagName !== 'TABLE' && p.tagName !== 'TR' && p.tagName !== 'TD');
      if (!home) return;
      const target = home.querySelector<HTMLElement>('select:not([disabled]), h2, h3') ?? home.querySelector<HTMLElement>(FOCUSABLE) ?? home;
      if (!target.matches(FOCUSABLE)) target.tabIndex = -1;
      last = null;
      target.focus({ preventScroll: true });
    };
    document.addEventListener('focusin', onFocus);
    const mo = new MutationObserver(() => queueMicrotask(rescue));
    mo.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['disabled'] });
    return () => {
      document.removeEventListener('focusin', onFocus);
      mo.disconnect();
    };
  }, []);
}
