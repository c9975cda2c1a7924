import { Alert } from '../../components/Alert';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { isNotFound } from '../../lib/useResource';
import { NotFoundScreen } from '../NotFound';
import { RfcBody } from './RfcBody';
import { RfcHeader } from './RfcHeader';
import { UpdateNotice } from './UpdateNotice';
import { useRfcPage } from './useRfcPage';

/**
 * /rfcs/<slug>. Layout: the reading column (header + text) and, later, a side
 * column for branches, open PRs, threads and presence — each its own component
 * and hook under screens/rfc/.
 */
export function RfcScreen({ slug }: { slug: string }) {
  const page = useRfcPage(slug);
  const { state, rfc } = page;
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
    <article class="rfc-page">
      <UpdateNotice notice={page.notice} onView={page.showHeldUpdate} onDismiss={page.dismissNotice} />
      <RfcHeader rfc={rfc} slug={slug} failed={state.status === 'error'} />
      {state.status === 'error' && (
        <Alert onRetry={page.reload}>Could not load this RFC: {state.error.message}</Alert>
      )}
      {state.status !== 'error' && <RfcBody html={state.status === 'ready' ? state.data.body_html : null} title={rfc?.title} />}
    </article>
  );
}
