import type { Rfc } from '../../api/types';
import { RelTime } from '../../components/RelTime';
import { SkeletonLines } from '../../components/Skeleton';
import { RfcStateBadge } from '../../components/StateBadge';

/** Title, state, pitch and the facts about an RFC. */
export function RfcHeader({
  rfc,
  slug,
  failed,
  maintainers,
  createdAt,
}: {
  rfc: Rfc | null;
  slug: string;
  failed: boolean;
  maintainers?: string[];
  createdAt?: string | null;
}) {
  return (
    <header class="doc-head">
      <p class="eyebrow">
        {rfc?.rfc_number != null ? `RFC ${rfc.rfc_number}` : 'RFC'}
        {rfc && <RfcStateBadge state={rfc.state} />}
      </p>
      <h1 tabIndex={-1} class={rfc ? undefined : 'is-loading'}>
        {rfc ? rfc.title : failed ? slug : `Loading ${slug}…`}
      </h1>
      {rfc ? (
        <>
          {rfc.pitch && <p class="lead">{rfc.pitch}</p>}
          <dl class="facts">
            <div>
              <dt>Authors</dt>
              <dd>{rfc.authors.length ? rfc.authors.join(', ') : '—'}</dd>
            </div>
            {maintainers && (
              <div>
                <dt>Maintainers</dt>
                <dd>{maintainers.length ? maintainers.join(', ') : '—'}</dd>
              </div>
            )}
            <div>
              <dt>Slug</dt>
              <dd>
                <code class="slug">{rfc.slug}</code>
              </dd>
            </div>
            {rfc.repo && (
              <div>
                <dt>Repository</dt>
                <dd>
                  <code class="slug">{rfc.repo}</code>
                </dd>
              </div>
            )}
            {createdAt && (
              <div>
                <dt>Created</dt>
                <dd>
                  <RelTime iso={createdAt} />
                </dd>
              </div>
            )}
            <div>
              <dt>Last change</dt>
              <dd>
                <RelTime iso={rfc.updated_at} />
              </dd>
            </div>
          </dl>
        </>
      ) : failed ? null : (
        <SkeletonLines lines={3} widths={['80%', '40%', '60%']} />
      )}
    </header>
  );
}
