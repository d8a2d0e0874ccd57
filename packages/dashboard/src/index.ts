export { createDashboard, type DashboardHandler } from './create-dashboard.js';
export { MUTATING_ACTIONS, type DashboardAction, type DashboardOptions, type DashboardTarget, type MetricsSource } from './dashboard-options.js';
export type { QueueRate } from './live-events.js';
