/**
 * Sending email from use cases (through the mail port). A mutation that has been saved is not undone because its
 * notification could not be sent: the failure is logged and audited (docs/decisions.md), and the
 * idempotency key makes a later resend safe.
 */
import type { EmailKind, EmailRecipient } from './ports';
import type { EmailTemplateData } from './ports';
import type { AppDeps as Services } from './ports';
import { audit } from './audit';

/** Renders and sends one message; never throws. Returns true when it was handed to the provider. */
export async function notify<K extends EmailKind>(
  services: Services,
  input: {
    kind: K;
    locale: string | undefined;
    data: EmailTemplateData[K];
    to: EmailRecipient[];
    idempotencyKey: string;
    partnerId: string;
    log?: (message: string) => void;
  },
): Promise<boolean> {
  try {
    await services.mail.send({
      kind: input.kind,
      locale: input.locale,
      data: input.data,
      to: input.to,
      idempotencyKey: input.idempotencyKey,
    });
    return true;
  } catch (e) {
    input.log?.(
      `Email ${input.kind} (${input.idempotencyKey}) was not sent: ${e instanceof Error ? e.message : String(e)}`,
    );
    await audit(services, {
      partnerId: input.partnerId,
      caller: 'system',
      action: 'email.failed',
      target: { type: 'email', id: input.idempotencyKey },
      outcome: 'Rejected',
      detail: { kind: input.kind },
    }).catch(() => undefined);
    return false;
  }
}
