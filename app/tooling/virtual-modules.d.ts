/** The UI strings pages outside the dashboards can show, per language (vite.config.ts builds them). */
declare module "virtual:shora-resident-dictionary/*" {
  const strings: Record<string, string>;
  export default strings;
}
