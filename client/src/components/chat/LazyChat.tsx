/**
 * The chat panel, loaded on demand (its own chunk with its styles), with a
 * placeholder of the same size meanwhile. Keyed by room and reader: either
 * changing starts a fresh room controller.
 */
import { useEffect, useState } from 'preact/hooks';
import { useStore } from '../../lib/store';
import { session } from '../../state/session';
import { Alert } from '../Alert';
import type { ChatPanelProps } from './ChatPanel';

type PanelModule = typeof import('./ChatPanel');
let loaded: PanelModule | null = null;

export function LazyChat(props: ChatPanelProps) {
  const [mod, setMod] = useState<PanelModule | null>(loaded);
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const me = useStore(session).user?.login ?? '';

  useEffect(() => {
    if (mod) return undefined;
    let live = true;
    import('./ChatPanel').then(
      (m) => {
        loaded = m;
        if (live) setMod(m);
      },
      () => {
        if (live) setFailed(true);
      },
    );
    return () => {
      live = false;
    };
  }, [mod, attempt]);

  if (failed) {
    return (
      <div class="chat chat--placeholder">
        <Alert
          onRetry={() => {
            setFailed(false);
            setAttempt((n) => n + 1);
          }}
        >
          The chat could not be loaded. Check your connection and try again.
        </Alert>
      </div>
    );
  }
  if (!mod) return <div class="chat chat--placeholder" aria-busy="true" aria-label="Loading the chat" role="status" />;
  return <mod.ChatPanel key={`${props.room}\n${me}`} {...props} />;
}
