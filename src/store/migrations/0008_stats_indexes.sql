-- Indexes for the dashboard aggregates (GET /api/v1/stats, src/api/api_stats.c),
-- so that they stay fast with a million incidents.

-- Open incidents only (a partial index: its size follows the open work, not
-- the history), covering every column the open-incident aggregates read: one
-- scan of it, in order, gives the counts by status, severity, RSIT
-- taxonomy/type and primary organisation, and the columns of the SLA and
-- NIS2 clocks give the overdue counts, without reading the table (whose open
-- rows are scattered among the closed ones).
CREATE INDEX stats_incidents_open ON incidents(status, severity, taxonomy, type, org_id, created_at, awareness_at,
  acknowledged_at, first_advice_at, nis2_early_warning_at, nis2_notification_at, nis2_final_report_at, paused_ms,
  paused_since, closed_at) WHERE status <> 'closed';

-- Incidents closed per day over a range.
CREATE INDEX stats_incidents_closed ON incidents(closed_at) WHERE closed_at IS NOT NULL;

-- Alerts per day by level (severity) and status over a range, for everyone or
-- one organisation: one range count per day, level and status (covering).
CREATE INDEX stats_alerts ON alerts(severity, status, created_at, org_id);
