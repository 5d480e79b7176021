import { existsSync } from 'node:fs';
import { loadClientConfigProfile, type ClientConfigProfile } from '@temporalio/envconfig';

/**
 * Where the platform's Temporal connection comes from: Temporal's own client configuration, read
 * by `@temporalio/envconfig` exactly as the `temporal` CLI and the other SDKs read it (a TOML file
 * of profiles, `TEMPORAL_CONFIG_FILE` or `~/.config/temporalio/temporal.toml`, picked by
 * `TEMPORAL_PROFILE`, with `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`,
 * `TEMPORAL_TLS*` and `TEMPORAL_GRPC_META_*` overriding it). So one profile serves the platform,
 * the CLI and the UI's codec settings alike.
 */
export type TemporalProfile = ClientConfigProfile;

/** Our earlier names for the TLS variables, refused with the name that replaced each. */
const RENAMED = {
  TEMPORAL_TLS_CERT_PATH: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  TEMPORAL_TLS_KEY_PATH: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  TEMPORAL_TLS_CA_PATH: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
} as const;

// What envconfig reads besides the TEMPORAL_* variables: where the default file lives.
const LOCATION_VARIABLES = ['HOME', 'XDG_CONFIG_HOME', 'APPDATA'];

/** The profile in force, or the problems that keep it from loading, each saying how to fix it. */
export function loadTemporalProfile(env: NodeJS.ProcessEnv): {
  profile: TemporalProfile;
  problems: string[];
} {
  const problems: string[] = [];
  for (const [old, current] of Object.entries(RENAMED))
    if (env[old]) problems.push(`${old} is now ${current} (Temporal's own name): rename it`);
  // Set-but-empty is unset, as for every other variable; values are trimmed alike.
  const provided: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const trimmed = value?.trim();
    if (trimmed && (name.startsWith('TEMPORAL_') || LOCATION_VARIABLES.includes(name)))
      provided[name] = trimmed;
  }
  const file = provided.TEMPORAL_CONFIG_FILE;
  if (file && !existsSync(file))
    problems.push(
      `TEMPORAL_CONFIG_FILE=${JSON.stringify(file)}: no such file (unset it, or point it at a temporal.toml)`,
    );
  let profile: TemporalProfile = {};
  if (problems.length === 0) {
    try {
      profile = loadClientConfigProfile({ overrideEnvVars: provided });
    } catch (error) {
      const source = file ?? 'the Temporal client config file';
      problems.push(
        `${source}: ${error instanceof Error ? error.message : String(error)} ` +
          '(`temporal config list` shows its profiles; TEMPORAL_PROFILE picks one)',
      );
    }
  }
  const tls = profile.tls;
  if (tls && !tls.disabled && Boolean(tls.clientCert) !== Boolean(tls.clientKey)) {
    problems.push(
      "TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH go together (or the profile's " +
        'client_cert_path and client_key_path): set both for mTLS or neither ' +
        '(example: TEMPORAL_TLS_CLIENT_CERT_PATH=/etc/temporal/client.pem TEMPORAL_TLS_CLIENT_KEY_PATH=/etc/temporal/client.key)',
    );
  }
  return { profile, problems };
}
