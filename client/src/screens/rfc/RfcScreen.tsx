import { Alert } from '../../components/Alert';
import { HereNow } from '../../components/chat/HereNow';
import { useRfcUnread } from '../../live/chatUnread';
import { rfcRoom } from '../../live/events';
import { useStore } from '../../lib/store';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { isNotFound } from '../../lib/useResource';
import { session } from '../../state/session';
import { NotFoundScreen } from '../NotFound';
import { Discussion } from '../thread/Discussion';
import { RfcActions } from './RfcActions';
import { RfcActivity } from './RfcActivity';
import { RfcBody } from './RfcBody';
import { RfcHeader } from './RfcHeader';
import { UpdateNotice } from './UpdateNotice';
import { useRfcPage } from './useRfcPage';
import '../../styles/editing.css';

/**
 * /rfcs/<slug>. Layout: the header with its actions, then the reading column
 * (the text) and a side column (who is here, discussion threads, branches with
 * their unread chat counts, open pull requests, history) — each its own component
 * (screens/rfc/, screens/thread/Discussion, components/chat/HereNow).
 */
export function RfcScreen({ slug }: { slug: string }) {
  const page = useRfcPage(slug);
  const { state, rfc, removed } = page;
  const user = useStore(session).user;
  const unread = useRfcUnread(slug);
  const data = state.status === 'ready' ? state.data : null;
  useDocumentTitle(rfc ? rfc.title : slug);

  if (state.status === 'error' && isNotFound(state.error)) {
    return (
      <NotFoundScreen
        title="RFC not found"
        detail={`There is no RFC with the slug “${slug}”. If it was proposed recently, it may still be a pending idea.`}
      />
    );
  }

  return (
    <article class="rfc-page rfc-page--with-side">
      <UpdateNotice notice={page.notice} onView={page.showHeldUpdate} onDismiss={page.dismissNotice} />
      <RfcHeader rfc={rfc} slug={slug} failed={state.status === 'error'} maintainers={data?.maintainers} createdAt={data?.created_at ?? null} />
      {removed && (
        <Alert tone="warning">
          <strong>This RFC was removed from the catalog.</strong> Its file is no longer on the meta repository's default branch. What
          you see is its last version: it can be read, but no longer edited, pinned or discussed here.{' '}
          <a href="/catalog">Back to the catalog</a>
        </Alert>
      )}
      {data && !removed && <RfcActions slug={slug} rfc={data.rfc} user={user} canStartBranch={data.can_start_branch} />}
      {state.status === 'error' && (
        <Alert onRetry={page.reload}>Could not load this RFC: {state.error.message}</Alert>
      )}
      {state.status !== 'error' && (
        <div class="rfc-layout">
          <div class="rfc-layout__main">
            <RfcBody html={data ? data.body_html : null} title={rfc?.title} />
          </div>
          <RfcActivity
            slug={slug}
            branches={data?.branches ?? null}
            pulls={data?.pulls ?? null}
            history={data?.history ?? null}
            unread={unread}
            canPin={!!data?.can_pin && !removed}
            onBranchChanged={page.applyBranch}
            lead={
              <>
                <HereNow room={rfcRoom(slug)} label="People on this RFC now" headingId="here-heading" />
                <Discussion slug={slug} user={user} unread={unread} closed={removed} />
              </>
            }
          />
        </div>
      )}
    </article>
  );
}
