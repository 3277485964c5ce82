/**
 * The CLI's certificate and key file names, Multipass's own. Kept apart from the code that
 * makes them so that the composition root can look for an existing pair without loading it.
 */
export const CLIENT_CERT_FILE = 'multipass_cert.pem';
export const CLIENT_KEY_FILE = 'multipass_cert_key.pem';
