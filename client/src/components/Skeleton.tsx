/** Grey placeholder lines of the right size, so nothing shifts when data arrives. */
export function SkeletonLines({ lines = 3, widths }: { lines?: number; widths?: string[] }) {
  return (
    <div class="skeleton" aria-hidden="true">
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} class="skeleton__line" style={{ width: widths?.[i % widths.length] ?? '100%' }} />
      ))}
    </div>
  );
}

