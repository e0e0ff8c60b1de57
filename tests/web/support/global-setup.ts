/**
 * Starts the platform once for all browser tests and tells the workers where it is (environment
 * variables set here reach them). The returned function stops it.
 */
import { startWebStack } from './web-stack.ts';

export default async function globalSetup() {
  const stack = await startWebStack();
  process.env.CUSTOS_WEB_URL = stack.webUrl;
  process.env.CUSTOS_API_URL = stack.apiUrl;
  process.env.CUSTOS_ISSUER = stack.issuer;
  process.env.CUSTOS_MQTT_URL = stack.mqttUrl;
  process.env.CUSTOS_WEB_SESSION_SECRET = stack.sessionSecret;
  process.env.CUSTOS_MAIL_URL = stack.mailUrl;
  return () => stack.stop();
}
