import { useEffect, useRef, useState } from 'preact/hooks';
import type { Ref } from 'preact';
import { Alert } from '../../components/Alert';
import type { EditorHandle } from './codemirror';

export interface EditorControl {
  setText(text: string): void;
  focus(): void;
}

interface Props {
  /** The text when the editor is created (later changes go through `control.setText`). */
  initial: string;
  readOnly: boolean;
  label: string;
  describedBy?: string;
  onChange: (text: string) => void;
  /** Ctrl/Cmd+S in the editor. */
  onSave?: () => void;
  control: Ref<EditorControl | null>;
}

/** CodeMirror, loaded on demand (its own chunk), with a same-size placeholder meanwhile. */
export function Editor({ initial, readOnly, label, describedBy, onChange, onSave, control }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const handle = useRef<EditorHandle | null>(null);
  const pendingText = useRef<string | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const onSaveRef = useRef(onSave);
  onSaveRef.current = onSave;
  const readOnlyRef = useRef(readOnly);
  readOnlyRef.current = readOnly;
  const [status, setStatus] = useState<'loading' | 'ready' | 'error'>('loading');
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setStatus('loading');
    import('./codemirror')
      .then(({ createEditor }) => {
        if (cancelled || !host.current) return;
        handle.current = createEditor(host.current, {
          doc: pendingText.current ?? initial,
          readOnly: readOnlyRef.current,
          label,
          ...(describedBy ? { describedBy } : {}),
          onChange: (text) => onChangeRef.current(text),
          onSave: () => onSaveRef.current?.(),
        });
        pendingText.current = null;
        setStatus('ready');
      })
      .catch(() => {
        if (!cancelled) setStatus('error');
      });
    return () => {
      cancelled = true;
      handle.current?.destroy();
      handle.current = null;
    };
    // `initial` only seeds the editor; it is deliberately not a dependency.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [attempt, label, describedBy]);

  useEffect(() => {
    handle.current?.setReadOnly(readOnly);
  }, [readOnly, status]);

  useEffect(() => {
    const api: EditorControl = {
      setText(text) {
        if (handle.current) handle.current.setText(text);
        else pendingText.current = text;
      },
      focus() {
        handle.current?.focus();
      },
    };
    if (typeof control === 'function') control(api);
    else if (control) control.current = api;
    return () => {
      if (typeof control === 'function') control(null);
      else if (control) control.current = null;
    };
  }, [control]);

  return (
    <div class="editor">
      {status === 'error' && (
        <Alert onRetry={() => setAttempt((n) => n + 1)}>
          The editor could not be loaded. Check your connection and try again; your text is kept.
        </Alert>
      )}
      {status === 'loading' && (
        <p class="editor__loading muted" aria-live="polite">
          Loading the editor…
        </p>
      )}
      <div class="editor__host" ref={host} />
    </div>
  );
}
