import type { CustomRoute } from '@slack/bolt';
import { HEALTH_PATH } from '../constants.js';

/**
 * `GET /healthz`: for load balancers and the admin, says the app is up and whether it is in SANDBOX mode; 503 with
 * `ok: false` while it cannot receive Slack's requests yet (Socket Mode, its WebSocket not open at start).
 */
export function healthRoute(state: () => { receivingSlack: boolean; sandbox: boolean; inFlight: number }): CustomRoute {
  return {
    path: HEALTH_PATH,
    method: ['GET', 'HEAD'],
    handler: (_req, res) => {
      const { receivingSlack, sandbox, inFlight } = state();
      res.writeHead(receivingSlack ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ ok: receivingSlack, safedebit: sandbox ? 'SANDBOX' : 'live', in_flight: inFlight }));
    },
  };
}
