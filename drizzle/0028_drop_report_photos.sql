-- A report's photos are media of the report (ADR 0034, owner kind "report"), re-encoded and stripped
-- like every other picture; the table 0027 made for them was never written to.
DROP TABLE "report_photos";
