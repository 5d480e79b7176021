/**
 * The part of the worker's environment a command trainer (and its installer) gets: the basics a
 * program needs to run and to reach a package index, and nothing else. The worker's own
 * environment holds the platform's credentials (S3 keys, DATABASE_URL, the PII key); user code
 * never sees them.
 */
const PASSED = [
  /^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|TZ|TERM)$/,
  /^LC_[A-Z]+$/,
  /^(SSL_CERT_FILE|SSL_CERT_DIR|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE)$/,
  /^(HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy)$/,
  /^(PIP|UV)_[A-Z_]+$/,
  /^(PYENV|PYENV_[A-Z_]+)$/,
];

export function baseEnvironment(source: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(source).filter(
      ([name, value]) => value !== undefined && PASSED.some((rule) => rule.test(name)),
    ),
  );
}
