// Optional Authenticode signing with osslsigncode, when the operator provides a certificate:
//   SEATKEEPER_SIGN_PKCS12=cert.pfx [SEATKEEPER_SIGN_PASSWORD=...]   or
//   SEATKEEPER_SIGN_CERT=cert.pem SEATKEEPER_SIGN_KEY=key.pem [SEATKEEPER_SIGN_PASSWORD=...]
//   SEATKEEPER_SIGN_TIMESTAMP_URL=http://timestamp.example (optional: without it the signature
//   stops validating when the certificate expires)
import { execFileSync } from 'node:child_process';
import { renameSync, rmSync } from 'node:fs';

export function signingConfigured(env = process.env) {
  return Boolean(env.SEATKEEPER_SIGN_PKCS12 || (env.SEATKEEPER_SIGN_CERT && env.SEATKEEPER_SIGN_KEY));
}

/** Removes Node's own signature: once the blob is injected it no longer matches the file. */
export function stripSignature(input, output) {
  try {
    execFileSync('osslsigncode', ['remove-signature', '-in', input, '-out', output], { stdio: ['ignore', 'ignore', 'pipe'] });
    return true;
  } catch {
    rmSync(output, { force: true });
    return false;
  }
}

/** Signs `file` in place (an .exe or an .msi); a no-op without a certificate. */
export function signFile(file, description, env = process.env) {
  if (!signingConfigured(env)) return false;
  const args = ['sign'];
  if (env.SEATKEEPER_SIGN_PKCS12) args.push('-pkcs12', env.SEATKEEPER_SIGN_PKCS12);
  else args.push('-certs', env.SEATKEEPER_SIGN_CERT, '-key', env.SEATKEEPER_SIGN_KEY);
  // The password goes in on stdin, never in argv where `ps` shows it.
  if (env.SEATKEEPER_SIGN_PASSWORD) args.push('-readpass', '-');
  args.push('-h', 'sha256', '-n', description);
  if (env.SEATKEEPER_SIGN_TIMESTAMP_URL) args.push('-ts', env.SEATKEEPER_SIGN_TIMESTAMP_URL);
  const out = `${file}.signed`;
  rmSync(out, { force: true });
  args.push('-in', file, '-out', out);
  execFileSync('osslsigncode', args, { input: env.SEATKEEPER_SIGN_PASSWORD ?? '', stdio: ['pipe', 'ignore', 'inherit'] });
  renameSync(out, file);
  return true;
}
