/**
 * The baseline of the portal benchmark (bench/portal.ts): the least a Vite + React app does to show the
 * Benefits page's table — the same session token (sessionStorage, as the portal keeps it), one `fetch` of the
 * same benefit list, a plain `<table>`. No UI library, router, query cache or translations.
 */
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';

interface Benefit {
  id: string;
  productName: string;
  status: string;
  expiresAt?: string;
}

function App() {
  const [items, setItems] = useState<Benefit[] | null>(null);
  useEffect(() => {
    const session = JSON.parse(sessionStorage.getItem('portal.session') ?? '{}') as { token?: string };
    void fetch('/api/partners/contoso/benefits?category=software&pageSize=10', {
      headers: { Authorization: `Bearer ${session.token ?? ''}` },
    })
      .then((r) => r.json() as Promise<{ items: Benefit[] }>)
      .then((page) => setItems(page.items));
  }, []);
  if (!items) return <p>Loading…</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>Benefit</th>
          <th>Status</th>
          <th>Expires</th>
        </tr>
      </thead>
      <tbody>
        {items.map((b) => (
          <tr key={b.id}>
            <td>{b.productName}</td>
            <td>{b.status}</td>
            <td>{b.expiresAt ? new Date(b.expiresAt).toLocaleDateString() : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
