export { startServer, type StartServerOptions, type RunningServer } from './start-server';
export { createStore } from './create-store';
export { builtInPlugins } from './built-in-plugins';
export { pluginFormats } from './plugin-formats';
