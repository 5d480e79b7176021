-- The live primary metric of the window, kept with its drift report so a report can draw it over time.
ALTER TABLE "drift_reports" ADD COLUMN "live_metric" jsonb;