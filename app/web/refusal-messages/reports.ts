/** Every refusal code of residents' reports and the desk mapped to its message. */
import type { ReportRefusal } from "../../services/reports/reports.server";
import type { RefusalMessages } from "../refusals.server";

export const reportMessages: RefusalMessages<ReportRefusal> = {
  report_same_status: "reports.error.report_same_status",
  report_resolution_required: "reports.error.report_resolution_required",
  report_duplicate_required: "reports.error.report_duplicate_required",
  report_duplicate_self: "reports.error.report_duplicate_self",
  report_duplicate_unknown: "reports.error.report_duplicate_unknown",
  report_category_unknown: "reports.error.report_category_unknown",
  report_login_required: "reports.error.report_login_required",
  report_not_resident: "reports.error.report_not_resident",
  report_location_outside: "reports.error.report_location_outside",
  report_location_half: "reports.error.report_location_half",
  report_district_unknown: "reports.error.report_district_unknown",
  report_project_unknown: "reports.error.report_project_unknown",
  report_project_required: "reports.error.report_project_required",
  report_not_found: "reports.error.report_not_found",
  report_assignee_unknown: "reports.error.report_assignee_unknown",
  report_photo_invalid: "reports.error.report_photo_invalid",
  report_photo_too_large: "reports.error.report_photo_too_large",
  report_category_code_taken: "reports.error.report_category_code_taken",
};
