import { useLocation } from '../lib/router';
import { useDocumentTitle } from '../lib/useDocumentTitle';

interface Props {
  title?: string;
  detail?: string;
}

export function NotFoundScreen({ title = 'Page not found', detail }: Props) {
  const loc = useLocation();
  useDocumentTitle(title);
  return (
    <div class="narrow notfound">
      <p class="eyebrow">404</p>
      <h1 tabIndex={-1}>{title}</h1>
      <p>
        {detail ?? (
          <>
            There is nothing at <code>{loc.path}</code>. The link may be old or mistyped.
          </>
        )}
      </p>
      <p>
        <a href="/catalog" class="button button--primary">
          Go to the catalog
        </a>
      </p>
    </div>
  );
}
