export { PlatformModule, type PlatformOptions } from './platform.module';
export { createHttpApp, type HttpAppOptions } from './create-http-app';
