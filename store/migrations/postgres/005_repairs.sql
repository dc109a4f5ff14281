-- How many values of the current report the corrections stage changed
-- after reading a scan (len(report.repairs)), for the list and the exports.
ALTER TABLE applications ADD COLUMN repair_count BIGINT NOT NULL DEFAULT 0;
