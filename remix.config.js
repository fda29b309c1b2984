/**
 * Remix options live here; vite.config.ts passes them to the Remix Vite plugin
 * (the plugin does not read this file by itself).
 * @type {import('@remix-run/dev').VitePluginConfig}
 */
export default {
  appDirectory: "app",
  buildDirectory: "build",
  ignoredRouteFiles: ["**/*.test.*", "**/.*"],
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    // Said explicitly (Remix warns at every build while a flag is unset): the app, its tests and the
    // load bench use Remix 2's data requests (`?_data=`, `json()`); single fetch comes with the move
    // to React Router 7, not before.
    v3_singleFetch: false,
  },
};
