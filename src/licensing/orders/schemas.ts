// Order shapes (api.md "Order"): a sale that issues licenses, all or nothing.
import { z } from 'zod';
import { listQuerySchema, recordFilter } from '../../http/pagination.js';
import { notificationSchema } from '../customer-mail/schemas.js';
import { licenseSchema } from '../licenses/schemas.js';
import { metadataSchema } from '../metadata.js';

/** Licenses one order may issue, per item and in all. */
export const maxOrderQuantity = 1000;

export const orderItemSchema = z.strictObject({
  productCode: z.string().trim().min(1).max(64),
  policyCode: z.string().trim().min(1).max(64),
  quantity: z.number().int().min(1).describe(`1–${maxOrderQuantity}; more answers QUANTITY_TOO_LARGE`),
  users: z
    .array(z.email().max(320))
    .max(maxOrderQuantity)
    .optional()
    .describe('Per-user products: assigned to every license of the item'),
});

export const createOrderSchema = z
  .strictObject({
    externalId: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .describe('Your order id (unique): a second order with it answers ALREADY_EXISTS'),
    customer: z
      .strictObject({
        email: z.email().max(320),
        name: z.string().trim().min(1).max(200).optional(),
        company: z.string().trim().min(1).max(200).optional(),
      })
      .optional()
      .describe('Found by email, or created'),
    customerId: z.string().min(1).max(320).optional(),
    items: z.array(orderItemSchema).min(1).max(100),
    metadata: metadataSchema.optional(),
  })
  .refine((order) => (order.customer === undefined) !== (order.customerId === undefined), {
    message: 'send customer or customerId, one of them',
    path: ['customer'],
  });
export type CreateOrder = z.infer<typeof createOrderSchema>;

export const orderHeadersSchema = z.object({
  'idempotency-key': z.string().min(1).max(255).describe('Required on POST /v1/orders'),
});

export const orderSchema = z
  .object({
    id: z.string(),
    externalId: z.string(),
    customerId: z.string(),
    items: z.array(orderItemSchema.extend({ quantity: z.number() })),
    metadata: z.record(z.string(), z.unknown()),
    licenses: z.array(licenseSchema),
    notifications: z
      .array(notificationSchema)
      .describe('The mail sent to the customer about this order (its license mail), with its delivery state'),
    createdAt: z.string(),
  })
  .meta({ id: 'Order' });
export type Order = z.infer<typeof orderSchema>;

/** An order as GET /v1/orders lists it: without its licenses (up to 1,000 each), with how many it issued. */
export const orderSummarySchema = orderSchema
  .omit({ licenses: true, notifications: true })
  .extend({ licensesCount: z.number().int().describe('How many licenses the order issued') })
  .meta({ id: 'OrderSummary' });
export type OrderSummary = z.infer<typeof orderSummarySchema>;

export const orderListQuery = listQuerySchema({
  customerId: recordFilter('A customer by id or email', 320),
  externalId: z.string().trim().min(1).max(255).optional().describe('Your order id, exactly'),
});
export type OrderListQuery = z.infer<typeof orderListQuery>;

export const orderIdParams = z.object({ id: z.string().min(1).max(64) });
