-- Audit events are a record: written once, never changed. The platform only inserts them (ON
-- CONFLICT DO NOTHING); the database refuses every UPDATE, DELETE and TRUNCATE, whoever asks.
-- Statement-level, so even a statement that would touch no row is refused.
CREATE FUNCTION "audit_events_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit events cannot be changed or deleted (% on audit_events refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;--> statement-breakpoint
CREATE TRIGGER "audit_events_immutable" BEFORE UPDATE OR DELETE OR TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_refuse_change"();
