// A path the portal has no page for.
import { Link } from 'react-router';

export const NotFound = () => (
  <section>
    <h1>No such page</h1>
    <p>
      <Link to="/">Back to my licenses</Link>
    </p>
  </section>
);
