import { useEffect } from 'preact/hooks';

export function useDocumentTitle(title: string | null): void {
  useEffect(() => {
    document.title = title ? `${title} · RFC app` : 'RFC app';
  }, [title]);
}
