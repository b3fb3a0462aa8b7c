/** Options every command takes: where the server is and who we are. */
export interface ConnectionOptions {
  url: string;
  token: string | undefined;
  json: boolean;
}

export const defaultServerUrl = 'http://127.0.0.1:3000';

export const connectionOptionSpecs = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function connectionOptions(
  values: {
    url?: string | boolean | undefined;
    token?: string | boolean | undefined;
    json?: string | boolean | undefined;
  },
  env: NodeJS.ProcessEnv,
): ConnectionOptions {
  const url = typeof values.url === 'string' ? values.url : env.ANALYSIS_URL || defaultServerUrl;
  const token = typeof values.token === 'string' ? values.token : env.ANALYSIS_TOKEN || undefined;
  return { url, token, json: values.json === true };
}
