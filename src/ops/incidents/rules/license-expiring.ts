// license_expiring: an active license with an active machine ends within N days; resolves once renewed past the
// window, ended, or left without machines.
import { licensesExpiringWithMachines } from '../../../licensing/licenses/service.js';
import type { Rule } from '../engine.js';

export const licenseExpiringRule = (days: number): Rule => ({
  kind: 'license_expiring',
  autoResolve: true,
  evaluate: async ({ db, nowMs }) => {
    const rows = await licensesExpiringWithMachines(db.kysely, nowMs, nowMs + days * 86_400_000);
    return {
      open: rows.map((row) => {
        const endsAt = new Date(Number(row.expires_at)).toISOString();
        return {
          kind: 'license_expiring' as const,
          severity: 'warning' as const,
          title: `License ${row.key_prefix}… (${row.id}) ends on ${endsAt.slice(0, 10)} with machines still active`,
          subject: { type: 'license', id: row.id },
          details: {
            licenseId: row.id,
            productId: row.product_id,
            customerId: row.customer_id,
            expiresAt: endsAt,
          },
        };
      }),
    };
  },
  cleared: () => 'Renewed past the window, ended, or no machine is active on it any more',
});
