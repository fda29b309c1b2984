-- The staff action log is append-only: the database itself refuses UPDATE and DELETE on it,
-- whatever the application does (issue 8). TRUNCATE is refused too.
CREATE OR REPLACE FUNCTION action_log_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'action_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;--> statement-breakpoint
CREATE TRIGGER action_log_no_update BEFORE UPDATE OR DELETE ON "action_log"
  FOR EACH ROW EXECUTE FUNCTION action_log_refuse_change();--> statement-breakpoint
CREATE TRIGGER action_log_no_truncate BEFORE TRUNCATE ON "action_log"
  FOR EACH STATEMENT EXECUTE FUNCTION action_log_refuse_change();
