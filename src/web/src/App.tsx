/**
 * The benefits portal (docs/product.md §11): providers (Fluent UI theme, TanStack Query, languages, sign-in)
 * and the routes. Pages are loaded lazily, so the first page needs only its own code.
 */
import { lazy, Suspense, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiError } from './api/client';
import { AuthProvider } from './auth/AuthProvider';
import { useAuth } from './auth/AuthContext';
import { I18nProvider } from './i18n/I18nProvider';
import { Layout } from './components/Layout';
import { Loading } from './components/common';
import { isOperator, isPartnerAdmin, useMe } from './session';

const SignInPage = lazy(() => import('./pages/SignIn'));
const BenefitsPage = lazy(() => import('./pages/Benefits'));
const PurchasesPage = lazy(() => import('./pages/Purchases'));
const ServiceRequestsPage = lazy(() => import('./pages/ServiceRequests'));
const AuditPage = lazy(() => import('./pages/Audit'));
const UsersPage = lazy(() => import('./pages/Users'));
const MyBenefitsPage = lazy(() => import('./pages/MyBenefits'));
const OperatorPage = lazy(() => import('./pages/Operator'));
const VerifyContactPage = lazy(() => import('./pages/VerifyContact'));
const NotFoundPage = lazy(() => import('./pages/NotFound'));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Retry what may pass on a second try (network, 5xx, 503 while starting); never a 4xx.
      retry: (count, error) =>
        count < 3 && (!(error instanceof ApiError) || error.status === 0 || error.status >= 500),
      refetchOnWindowFocus: true,
    },
  },
});

/** Pages that need a signed-in person. */
function RequireSignIn({ children }: { children: ReactNode }) {
  const { signedIn } = useAuth();
  const location = useLocation();
  if (!signedIn)
    return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

/** `/`: the page for who you are — operator console, benefits (admins), my benefits (employees). */
function Home() {
  const { data: me } = useMe();
  if (!me) return <Loading />;
  if (isOperator(me) && !me.partnerId) return <Navigate to="/operator" replace />;
  if (!isPartnerAdmin(me)) return <Navigate to="/my-benefits" replace />;
  return <Navigate to="/benefits/software" replace />;
}

export function App() {
  return (
    <FluentProvider theme={webLightTheme}>
      <QueryClientProvider client={queryClient}>
        <I18nProvider>
          <BrowserRouter>
            <AuthProvider>
              <Suspense fallback={<Loading />}>
                <Routes>
                  <Route path="/sign-in" element={<SignInPage />} />
                  <Route path="/verify-contact" element={<VerifyContactPage />} />
                  <Route
                    element={
                      <RequireSignIn>
                        <Layout />
                      </RequireSignIn>
                    }
                  >
                    <Route index element={<Home />} />
                    <Route path="benefits" element={<Navigate to="/benefits/software" replace />} />
                    <Route path="benefits/:tab" element={<BenefitsPage />} />
                    <Route path="purchases" element={<PurchasesPage />} />
                    <Route path="service-requests" element={<ServiceRequestsPage />} />
                    <Route path="audit" element={<AuditPage />} />
                    <Route path="settings/users" element={<UsersPage />} />
                    <Route path="my-benefits" element={<MyBenefitsPage />} />
                    <Route path="operator" element={<OperatorPage />} />
                    <Route path="*" element={<NotFoundPage />} />
                  </Route>
                </Routes>
              </Suspense>
            </AuthProvider>
          </BrowserRouter>
        </I18nProvider>
      </QueryClientProvider>
    </FluentProvider>
  );
}
