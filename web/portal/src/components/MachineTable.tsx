// Machines as a table (a user's devices, a customer's machines), each active one with a Deactivate button that
// asks first; the API's refusal shows beside the button.
import type { ReactNode } from 'react';
import { Badge, when } from '../../../src/components/Badge';
import { ConfirmButton } from '../../../src/components/ConfirmButton';
import type { Machine } from '../hooks/portal';

export const MachineTable = ({
  label,
  machines,
  deactivate,
}: {
  label: string;
  machines: Machine[];
  deactivate: { mutate: (machineId: string) => void; isPending: boolean; error: unknown; variables?: string };
}) => (
  <table aria-label={label}>
    <thead>
      <tr>
        <th scope="col">Name</th>
        <th scope="col">Fingerprint</th>
        <th scope="col">License</th>
        <th scope="col">Status</th>
        <th scope="col">Activated</th>
        <th scope="col">Last seen</th>
        <th scope="col">Deactivate</th>
      </tr>
    </thead>
    <tbody>
      {machines.map((machine) => {
        const name = machine.name ?? machine.hostname ?? machine.fingerprint;
        let action: ReactNode = <span className="muted">{machine.status}</span>;
        if (machine.status === 'active')
          action = (
            <ConfirmButton
              mutation={{
                ...deactivate,
                error: deactivate.variables === machine.id ? deactivate.error : null,
              }}
              variables={machine.id}
              question={`Deactivate ${name}? Its seat frees at once; the software there stops working until it activates again.`}
              danger
            >
              Deactivate {name}
            </ConfirmButton>
          );
        return (
          <tr key={machine.id}>
            <td>{name}</td>
            <td>
              <code>{machine.fingerprint}</code>
            </td>
            <td>
              <code>{machine.licenseId}</code>
            </td>
            <td>
              <Badge value={machine.status} />
              {machine.offline ? <span className="muted"> offline</span> : null}
            </td>
            <td>{when(machine.activatedAt)}</td>
            <td>{when(machine.lastSeenAt)}</td>
            <td>{action}</td>
          </tr>
        );
      })}
    </tbody>
  </table>
);
