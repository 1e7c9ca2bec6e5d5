// charter machines list|show|deactivate: the machines activated on licenses, on the configured storage, no server
// needed. Deactivating frees the machine's slot through the same path as DELETE /v1/machines/{id} (its seats
// released, the churn limit applied, audited, machine.deactivated emitted); CHARTER_REQUIRE_APPROVAL holds.
import { machineSchema } from '../licensing/machines/schemas.js';
import { deactivateMachineById, getMachine, machinePage } from '../licensing/machines/service.js';
import { assertDirectAllowed } from '../ops/actions/gate.js';
import { resourceCommand } from './group.js';
import { all, cliSystemCaller as caller, licenseByReference, needId, oneOf, text } from './input.js';

const statuses = machineSchema.shape.status.options;

export const machinesCommand = resourceCommand({
  summary: 'list, show or deactivate machines',
  usage: [
    `Usage: charter machines list [--license <id|key>] [--status ${statuses.join('|')}]`,
    '       charter machines show <machine id>',
    '       charter machines deactivate <machine id>   frees its slot (and its seats)',
  ].join('\n'),
  options: { license: { type: 'string' }, status: { type: 'string' } },
  actions: {
    list: {
      run: async ({ deps, values }) => {
        const license = text(values, 'license');
        const licenseId = license === undefined ? undefined : (await licenseByReference(deps, license)).id;
        const status = oneOf(values, 'status', statuses);
        return all((cursor) => machinePage(deps, caller, { limit: 200, cursor, licenseId, status }));
      },
      columns: ['id', 'licenseId', 'fingerprint', 'name', 'hostname', 'platform', 'status', 'lastSeenAt'],
    },
    show: { run: ({ deps, id }) => getMachine(deps, caller, needId(id, 'machine id')) },
    deactivate: {
      run: async ({ deps, id, approval }) => {
        assertDirectAllowed(approval, 'deactivate_machine');
        const machineId = needId(id, 'machine id');
        await deactivateMachineById(deps, caller, machineId);
        return getMachine(deps, caller, machineId);
      },
    },
  },
});
