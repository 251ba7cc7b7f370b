/**
 * ui/: the local dashboard (`bosun ui`): an HTTP server on 127.0.0.1 with a JSON API over the
 * layers' functions, live events from LISTEN/NOTIFY, and a front end built offline at install.
 */
export { startDashboard, type Dashboard, type DashboardOptions } from './server.js';
export type { DashboardDeps } from './api.js';
