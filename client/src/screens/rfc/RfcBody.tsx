import { Prose } from '../../components/Prose';
import { SkeletonLines } from '../../components/Skeleton';

/** The rendered RFC text (sanitized HTML from the server) in the reading column. */
export function RfcBody({ html, title }: { html: string | null; title?: string }) {
  return (
    <section class="doc-body" aria-labelledby="rfc-text-heading" id="rfc-text">
      <h2 id="rfc-text-heading" class="section-label">
        Text
      </h2>
      {html === null ? (
        <SkeletonLines lines={10} widths={['95%', '100%', '88%', '97%', '60%', '100%', '92%', '45%', '99%', '70%']} />
      ) : html.trim() ? (
        <Prose html={html} title={title} />
      ) : (
        <p class="muted">This RFC has no text yet.</p>
      )}
    </section>
  );
}
