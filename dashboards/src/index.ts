import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { careOperations } from './boards/care-operations.js';
import { devicesBoard } from './boards/devices.js';
import { gatewayHealth } from './boards/gateway-health.js';
import { serviceQuality } from './boards/service-quality.js';
import { wellbeing } from './boards/wellbeing.js';
import { workloadBoard } from './boards/workload.js';

/** Every dashboard, by the file name it is provisioned as. */
export const BOARDS: Readonly<Record<string, () => DashboardBuilder>> = {
  'care-operations': careOperations,
  'service-quality': serviceQuality,
  wellbeing,
  devices: devicesBoard,
  'staff-workload': workloadBoard,
  'gateway-health': gatewayHealth,
};

/** Where the JSON goes, relative to dashboards/ (the provider in provisioning/dashboards reads it). */
export const BOARDS_DIR = 'provisioning/dashboards/careedge';

/** A dashboard as the committed file holds it. */
export const boardJson = (build: () => DashboardBuilder): string =>
  `${JSON.stringify(build().build(), null, 2)}\n`;
