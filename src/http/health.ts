import type { CustomRoute } from '@slack/bolt';
import { HEALTH_PATH } from '../constants.js';

/** `GET /healthz`: for load balancers and the admin, says the app is up and whether it is in SANDBOX mode. */
export function healthRoute(state: () => { sandbox: boolean; inFlight: number }): CustomRoute {
  return {
    path: HEALTH_PATH,
    method: ['GET', 'HEAD'],
    handler: (_req, res) => {
      const { sandbox, inFlight } = state();
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ ok: true, safedebit: sandbox ? 'SANDBOX' : 'live', in_flight: inFlight }));
    },
  };
}
