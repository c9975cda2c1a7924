import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../../api/client';
import { editingApi } from '../../api/editing';

export interface PreviewState {
  html: string;
  /** A newer text is waiting to be rendered, or being rendered. */
  pending: boolean;
  error: string | null;
}

const DEBOUNCE_MS = 300;

/**
 * The rendered preview of `text`, through the server's own renderer (the same
 * sanitizer as the RFC page). Debounced; only the answer for the latest text counts.
 */
export function usePreview(text: string | null, known: { markdown: string; html: string } | null): PreviewState {
  const [state, setState] = useState<PreviewState>({ html: known?.html ?? '', pending: false, error: null });
  const rendered = useRef<string | null>(known ? known.markdown : null);
  const generation = useRef(0);

  // Text the server already rendered for us (the branch as loaded) needs no request.
  useEffect(() => {
    if (known && rendered.current === null) {
      rendered.current = known.markdown;
      setState({ html: known.html, pending: false, error: null });
    }
  }, [known]);

  useEffect(() => {
    if (text === null || text === rendered.current) {
      generation.current++;
      setState((s) => (s.pending ? { ...s, pending: false } : s));
      return undefined;
    }
    const mine = ++generation.current;
    setState((s) => (s.pending ? s : { ...s, pending: true }));
    const timer = window.setTimeout(() => {
      editingApi.render(text).then(
        ({ html }) => {
          if (mine !== generation.current) return;
          rendered.current = text;
          setState({ html, pending: false, error: null });
        },
        (error: unknown) => {
          if (mine !== generation.current) return;
          setState((s) => ({ ...s, pending: false, error: `The preview could not be updated: ${errorMessage(error)}` }));
        },
      );
    }, DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [text]);

  return state;
}
