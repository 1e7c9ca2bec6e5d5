// Stripe (api.md "Webhooks", inbound): checkout.session.completed issues an order, customer.subscription.deleted
// suspends the subscription's licenses, invoice.paid renews them. Each Stripe Price names what it sells in its
// metadata (`charter_product`, `charter_policy`: codes); line items without them are not Charter's and are left
// alone. The subscription id is kept on each license (metadata.stripeSubscriptionId, and an indexed link) so later
// events find its licenses.
import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import { applyLicenseActionIn } from '../licenses/actions.js';
import { createOrderIn } from '../orders/service.js';
import {
  type InboundAnswer,
  type InboundOutcome,
  type IntegrationDeps,
  integrationCaller,
  receiveOnce,
} from './service.js';
import { licensesOfSubscription, linkSubscription } from './store.js';

export interface StripeDeps extends IntegrationDeps {
  /** Reads a session's line items when the event does not carry them. */
  apiKey: string | undefined;
  apiUrl: string;
}

const provider = 'stripe';

const stripeEventSchema = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

const idOf = z.union([z.string(), z.object({ id: z.string() }).transform((value) => value.id)]);

const lineItemSchema = z.object({
  quantity: z.number().int().min(0).nullable().optional(),
  price: z
    .object({ id: z.string(), metadata: z.record(z.string(), z.string()).nullable().optional() })
    .nullable()
    .optional(),
});

const checkoutSessionSchema = z.object({
  id: z.string().min(1),
  customer_details: z
    .object({ email: z.string().nullable().optional(), name: z.string().nullable().optional() })
    .nullable()
    .optional(),
  customer_email: z.string().nullable().optional(),
  subscription: idOf.nullable().optional(),
  line_items: z
    .object({ data: z.array(lineItemSchema) })
    .nullable()
    .optional(),
});

const subscriptionSchema = z.object({ id: z.string().min(1) });

// The subscription of an invoice: `subscription` in API versions before 2025-03-31, `parent.subscription_details`
// since.
const invoiceSchema = z.object({
  billing_reason: z.string().nullable().optional(),
  subscription: idOf.nullable().optional(),
  parent: z
    .object({
      subscription_details: z.object({ subscription: idOf.nullable().optional() }).nullable().optional(),
    })
    .nullable()
    .optional(),
});

const parseOrRefuse = <T>(schema: z.ZodType<T>, value: unknown, what: string): T => {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError('VALIDATION_ERROR', `The Stripe ${what} is not in the shape Charter reads`, {
      location: 'body',
      issues: parsed.error.issues.map((issue) => ({
        path: issue.path.map(String),
        message: issue.message,
        code: issue.code,
      })),
    });
  }
  return parsed.data;
};

/** A session's line items from Stripe's API (GET /v1/checkout/sessions/{id}/line_items), when not in the event. */
const fetchLineItems = async (deps: StripeDeps, sessionId: string) => {
  if (!deps.apiKey) {
    throw new AppError(
      'VALIDATION_ERROR',
      `Checkout session ${sessionId} carries no line_items: set CHARTER_STRIPE_API_KEY so Charter can read them`,
    );
  }
  const url = `${deps.apiUrl.replace(/\/$/, '')}/v1/checkout/sessions/${encodeURIComponent(sessionId)}/line_items?limit=100`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization: `Bearer ${deps.apiKey}` },
      redirect: 'error',
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new AppError('UPSTREAM_ERROR', `Stripe's API did not answer: ${(error as Error).message}`);
  }
  if (!response.ok) {
    throw new AppError(
      'UPSTREAM_ERROR',
      `Stripe's API answered ${response.status} for the session's line items`,
    );
  }
  return parseOrRefuse(z.object({ data: z.array(lineItemSchema) }), await response.json(), 'line item list')
    .data;
};

const checkoutCompleted = async (deps: StripeDeps, object: unknown) => {
  const session = parseOrRefuse(checkoutSessionSchema, object, 'checkout session');
  const lineItems = session.line_items?.data ?? (await fetchLineItems(deps, session.id));
  const items = lineItems.flatMap((line) => {
    const product = line.price?.metadata?.charter_product;
    const policy = line.price?.metadata?.charter_policy;
    return product && policy && (line.quantity ?? 1) > 0
      ? [{ productCode: product, policyCode: policy, quantity: line.quantity ?? 1 }]
      : [];
  });
  const email = session.customer_details?.email ?? session.customer_email;
  return { session, items, email: email ?? undefined, name: session.customer_details?.name ?? undefined };
};

const subscriptionAction = async (
  deps: StripeDeps,
  tx: Parameters<Parameters<typeof receiveOnce>[2]>[0],
  subscriptionId: string,
  action: 'suspend' | 'renew',
): Promise<InboundOutcome> => {
  const ids = await licensesOfSubscription(tx, provider, subscriptionId);
  const changed: string[] = [];
  for (const id of ids) {
    try {
      await applyLicenseActionIn(deps, tx, integrationCaller(provider), id, action);
      changed.push(id);
    } catch (error) {
      // A license already suspended, revoked or deleted, or a perpetual one, is left as it is.
      if (error instanceof AppError && ['INVALID_TRANSITION', 'GONE', 'NOT_FOUND'].includes(error.code))
        continue;
      throw error;
    }
  }
  return {
    applied: changed.length > 0,
    licenseIds: changed,
    ...(ids.length === 0 ? { note: `No license belongs to subscription ${subscriptionId}` } : {}),
  };
};

/** POST /v1/integrations/stripe/webhook, after the signature has been verified. */
export const receiveStripeEvent = async (deps: StripeDeps, body: unknown): Promise<InboundAnswer> => {
  const event = parseOrRefuse(stripeEventSchema, body, 'event');
  const meta = { provider, id: event.id, type: event.type };
  switch (event.type) {
    case 'checkout.session.completed': {
      // Read before the transaction: a call to Stripe's API must not hold the write lock.
      const { session, items, email, name } = await checkoutCompleted(deps, event.data.object);
      return receiveOnce(deps, meta, async (tx) => {
        if (items.length === 0)
          return { applied: false, note: 'No line item names a Charter product and policy' };
        if (!email)
          throw new AppError('VALIDATION_ERROR', `Checkout session ${session.id} has no customer email`);
        const subscriptionId = session.subscription ?? undefined;
        const order = await createOrderIn(
          deps,
          tx,
          integrationCaller(provider),
          {
            externalId: session.id,
            customer: { email, ...(name ? { name } : {}) },
            items,
            metadata: { source: 'stripe', stripeEventId: event.id },
          },
          subscriptionId
            ? {
                licenseMetadata: { stripeSubscriptionId: subscriptionId },
                onIssued: (inner, license) =>
                  linkSubscription(inner, {
                    provider,
                    subscription_id: subscriptionId,
                    license_id: license.id,
                  }),
              }
            : {},
        );
        return { applied: true, orderId: order.id, licenseIds: order.licenses.map((license) => license.id) };
      });
    }
    case 'customer.subscription.deleted': {
      const subscription = parseOrRefuse(subscriptionSchema, event.data.object, 'subscription');
      return receiveOnce(deps, meta, (tx) => subscriptionAction(deps, tx, subscription.id, 'suspend'));
    }
    case 'invoice.paid': {
      const invoice = parseOrRefuse(invoiceSchema, event.data.object, 'invoice');
      const subscriptionId = invoice.subscription ?? invoice.parent?.subscription_details?.subscription;
      return receiveOnce(deps, meta, async (tx) => {
        if (!subscriptionId) return { applied: false, note: 'The invoice belongs to no subscription' };
        // The subscription's first invoice is paid at checkout: its licenses were just issued for a full term.
        if (invoice.billing_reason === 'subscription_create')
          return {
            applied: false,
            note: 'The first invoice of a subscription starts the term its order issued',
          };
        return subscriptionAction(deps, tx, subscriptionId, 'renew');
      });
    }
    default:
      // Other events are acknowledged (Stripe stops resending them) and recorded as not applied.
      return receiveOnce(deps, meta, async () => ({
        applied: false,
        note: `Charter does not act on ${event.type}`,
      }));
  }
};
