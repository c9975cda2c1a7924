import { useState } from 'preact/hooks';
import { errorMessage } from '../api/client';
import { editingApi, type Branch } from '../api/editing';
import { noteSignedOut } from '../state/session';
import { showToast } from './toasts';

/** What pinning means, said wherever a pin is shown or offered. */
export const PIN_MEANING = 'Branch hygiene never closes or deletes a pinned branch.';

/** "Pinned", for everyone; the tooltip says what that means. */
export function PinnedBadge() {
  return (
    <span class="pinned" title={`Pinned: ${PIN_MEANING}`}>
      Pinned
    </span>
  );
}

interface Props {
  slug: string;
  branch: Branch;
  /** The branch as the server answered, to show it before the live event arrives. */
  onChanged: (branch: Branch) => void;
  /** Name the branch in the button's accessible name (lists with one button per branch). */
  named?: boolean;
  describedBy?: string;
}

/**
 * "Pin" / "Unpin" for whoever the server says may pin (`can_pin`): the caller decides
 * whether to render it; the server refuses everyone else anyway.
 */
export function PinButton({ slug, branch, onChanged, named = false, describedBy }: Props) {
  const [busy, setBusy] = useState(false);
  if (branch.state === 'deleted') return null;
  const pin = !branch.pinned;
  const verb = pin ? 'Pin' : 'Unpin';
  const label = busy ? (pin ? 'Pinning…' : 'Unpinning…') : verb;

  const click = async (): Promise<void> => {
    setBusy(true);
    try {
      const result = pin ? await editingApi.pinBranch(slug, branch.short) : await editingApi.unpinBranch(slug, branch.short);
      onChanged(result.branch);
    } catch (err) {
      noteSignedOut(err);
      showToast(`Could not ${verb.toLowerCase()} ${branch.short}: ${errorMessage(err)}`, 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <button
      type="button"
      class="button button--small pin-button"
      disabled={busy}
      aria-busy={busy}
      {...(named ? { 'aria-label': `${label} ${branch.short}` } : {})}
      {...(describedBy ? { 'aria-describedby': describedBy } : {})}
      title={
        pin
          ? `Pin: ${PIN_MEANING} A closed branch reopens.`
          : 'Unpin: hygiene may close this branch after 30 days without commits, and delete it 90 days later.'
      }
      onClick={() => void click()}
    >
      {label}
    </button>
  );
}
