-- Structured answers of the constituent form (and of API submissions), kept as
-- data instead of being flattened into the report body, so that triage can
-- carry them into the incident: the RSIT type (checked against the RSIT table
-- by the application), when it happened, the systems affected, and which NIS2
-- notification the report is (the stage names of the incidents' NIS2 clocks).
ALTER TABLE reports ADD COLUMN rsit_type TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN detected_at INTEGER;
ALTER TABLE reports ADD COLUMN systems_affected TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN nis2_stage TEXT NOT NULL DEFAULT ''
  CHECK (nis2_stage IN ('', 'early_warning', 'notification', 'final_report'));
